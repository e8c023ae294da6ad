import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { INT_MAX, NumberWithDecimals, OptionalText, Text } from '../../../common/dto.js';
import { CAPACITY_MAX } from '../../provisioning/dto/pool.dto.js';
import { DateOnly } from '../../migration/dto/planning.dto.js';
import { ROOM_STATUSES, type RoomStatus } from '../room-status.js';

/** CNY as a decimal string with at most two decimals (fen), never a JS number. */
export const MONEY = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;
const Money = (description: string, { optional = true } = {}) =>
  applyDecorators(
    optional
      ? ApiPropertyOptional({ type: String, example: '120000.00', description })
      : ApiProperty({ type: String, example: '1500.00', description }),
    ...(optional ? [IsOptional()] : []),
    IsString(),
    Matches(MONEY, { message: '$property must be CNY as a decimal string, e.g. "120000.00"' }),
  );

const Measure = (description: string, max: number) =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 0, maximum: max, description }),
    IsOptional(),
    NumberWithDecimals(2),
    Min(0),
    Max(max),
  );

export class CreateRoomDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  departmentId!: string;

  @Text(200, 'e.g. 市公安局二楼机房')
  name!: string;

  @OptionalText(500)
  address?: string;

  @Measure('floor area, m²', 1_000_000)
  floorAreaM2?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  racks?: number;

  @Measure('IT power, kW', 1_000_000)
  itPowerKw?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, description: 'power usage effectiveness' })
  @IsOptional()
  @NumberWithDecimals(2)
  @Min(1)
  @Max(10)
  pue?: number;

  @Measure('utilisation, %', 100)
  utilisationPercent?: number;

  @OptionalText(4000)
  conditionNotes?: string;

  @Money('annual electricity cost, CNY')
  costElectricity?: string;

  @Money('annual maintenance cost, CNY')
  costMaintenance?: string;

  @Money('annual staff cost, CNY')
  costStaff?: string;

  @Money('annual network line cost, CNY')
  costNetwork?: string;

  @Money('other annual cost, CNY')
  costOther?: string;

  @ApiPropertyOptional({ description: 'operators only: flagged poorly maintained after an inspection' })
  @IsOptional()
  @IsBoolean()
  poorlyMaintained?: boolean;
}

export class UpdateRoomDto extends PartialType(OmitType(CreateRoomDto, ['departmentId'] as const)) {}

export class RoomTransitionDto {
  @ApiProperty({ enum: ROOM_STATUSES })
  @IsIn(ROOM_STATUSES)
  to!: RoomStatus;

  @OptionalText(2000)
  note?: string;
}

export class TransferDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  hostId!: string;

  @ApiProperty({ format: 'uuid', description: 'the cloud pool that takes the equipment' })
  @IsUUID()
  poolId!: string;

  @ApiPropertyOptional({ description: 'defaults to the host’s CPU cores', maximum: CAPACITY_MAX })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(CAPACITY_MAX)
  vcpu?: number;

  @ApiPropertyOptional({ description: 'defaults to the host’s memory', maximum: CAPACITY_MAX })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(CAPACITY_MAX)
  memoryGiB?: number;

  @ApiPropertyOptional({ description: 'defaults to the host’s disk', maximum: CAPACITY_MAX })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(CAPACITY_MAX)
  storageGiB?: number;

  @ApiPropertyOptional({ maximum: CAPACITY_MAX })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(CAPACITY_MAX)
  gpu?: number;
}

export class DisposalDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  hostId!: string;

  @OptionalText(1000)
  note?: string;
}

export class CloseRoomDto {
  @ApiPropertyOptional({ format: 'date', description: 'default: today in China Standard Time' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'closedOn must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'closedOn must be a real date' })
  closedOn?: string;

  @ApiPropertyOptional({ type: [TransferDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => TransferDto)
  transfers?: TransferDto[];

  @ApiPropertyOptional({ type: [DisposalDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => DisposalDto)
  disposals?: DisposalDto[];

  @OptionalText(2000)
  note?: string;
}

export class CreateLeaseDto {
  @Text(200, 'e.g. 中国电信')
  provider!: string;

  @ApiProperty({ minimum: 1, maximum: INT_MAX })
  @IsInt()
  @Min(1)
  @Max(INT_MAX)
  bandwidthMbps!: number;

  @Money('monthly fee, CNY', { optional: false })
  monthlyFee!: string;

  @DateOnly()
  contractStart!: string;

  @DateOnly()
  contractEnd!: string;
}

export class UpdateLeaseDto extends PartialType(CreateLeaseDto) {}

export class RoomReportQuery {
  @ApiPropertyOptional({ minimum: 2000, maximum: 2100, description: 'fiscal year; default this year' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx', 'pdf'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx', 'pdf'])
  format?: 'json' | 'csv' | 'xlsx' | 'pdf';

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}
