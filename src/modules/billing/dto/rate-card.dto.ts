import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsUUID, Matches, ValidateNested } from 'class-validator';
import { CalendarDate, OptionalText, Text } from '../../../common/dto.js';
import { DECIMAL_STRING } from '../money.js';

const Price =
  (example: string, optional = false) =>
  (target: object, key: string) => {
    (optional ? ApiPropertyOptional : ApiProperty)({
      type: String,
      example,
      description: 'CNY, decimal string, ≤ 6 decimals',
    })(target, key);
    if (optional) IsOptional()(target, key);
    Matches(DECIMAL_STRING, {
      message: '$property must be a decimal string with at most 6 decimals, e.g. "0.35"',
    })(target, key);
  };

export class RatePricesDto {
  @Price('0.12')
  vcpuHour!: string;

  @Price('0.03')
  memoryGiBHour!: string;

  @Price('6.50')
  gpuHour!: string;

  /** Per storage tier; 'standard' is required (resources without a tier bill at it). */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { standard: '0.35', ssd: '0.80' },
  })
  @IsObject()
  storageGiBMonth!: Record<string, string>;

  @Price('25')
  publicIpMonth!: string;

  @Price('300')
  rackUnitMonth!: string;
}

export class CreateRateCardDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  poolId!: string;

  @Text(200, 'e.g. 2025 年政务云服务招标价格')
  name!: string;

  @OptionalText(200, 'tender or contract reference (招标编号)')
  tenderRef?: string;

  @ApiProperty({
    format: 'date',
    example: '2025-01-01',
    description: 'prices hold from midnight UTC of this date',
  })
  @CalendarDate()
  effectiveFrom!: string;

  @ApiPropertyOptional({ enum: ['CNY'], default: 'CNY' })
  @IsOptional()
  @IsIn(['CNY'])
  currency?: string;

  @ApiProperty({ type: RatePricesDto })
  @ValidateNested()
  @Type(() => RatePricesDto)
  prices!: RatePricesDto;

  @ApiPropertyOptional({
    enum: ['exists', 'running'],
    default: 'exists',
    description: 'storage bills while the resource exists, or only while it runs',
  })
  @IsOptional()
  @IsIn(['exists', 'running'])
  storageBilling?: 'exists' | 'running';
}

export class UpdateRateCardDto {
  @Text(200, undefined, { optional: true })
  name?: string;

  @OptionalText(200)
  tenderRef?: string;

  @ApiPropertyOptional({ format: 'date', example: '2025-01-01' })
  @IsOptional()
  @CalendarDate()
  effectiveFrom?: string;

  @ApiPropertyOptional({ type: RatePricesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RatePricesDto)
  prices?: RatePricesDto;

  @ApiPropertyOptional({ enum: ['exists', 'running'] })
  @IsOptional()
  @IsIn(['exists', 'running'])
  storageBilling?: 'exists' | 'running';
}

export class ListRateCardsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  poolId?: string;
}
