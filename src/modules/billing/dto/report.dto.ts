import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { RoomReportQuery } from '../../facilities/dto/room.dto.js';
import { MONEY_STRING } from '../money.js';
import { PERIOD, PERIOD_MESSAGE } from '../period.js';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class UsageReportQuery {
  @ApiProperty({ example: '2025-01' })
  @Matches(PERIOD, { message: `$property ${PERIOD_MESSAGE}` })
  from!: string;

  @ApiProperty({ example: '2025-12' })
  @Matches(PERIOD, { message: `$property ${PERIOD_MESSAGE}` })
  to!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the department and its subtree' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format?: 'json' | 'csv' | 'xlsx';
}

export class BudgetReportQuery {
  @ApiProperty({ example: 2025 })
  @Transform(toInt)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;
}

export class SetBudgetDto {
  @ApiProperty({ example: 2025, minimum: 2000, maximum: 2100 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @ApiProperty({ example: '1200000.00', description: 'CNY for the year, decimal string' })
  @Matches(MONEY_STRING, { message: '$property must be a decimal string with at most 2 decimals' })
  amount!: string;
}

/** Year (default: this year in China), department subtree (default: the caller's scope) and format. */
export class FiscalEffectQuery extends RoomReportQuery {}
