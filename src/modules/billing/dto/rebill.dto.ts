import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { BooleanQuery, PageQuery } from '../../../common/dto.js';
import { IsBoolean } from 'class-validator';
import { PERIOD, PERIOD_MESSAGE } from '../period.js';

export class ComputeRebillDto {
  @ApiProperty({ example: '2025-03', description: 'the month to bill, YYYY-MM (UTC)' })
  @Matches(PERIOD, { message: `$property ${PERIOD_MESSAGE}` })
  period!: string;
}

export const REBILL_FORMATS = ['json', 'csv', 'xlsx', 'pdf'] as const;
export type RebillFormat = (typeof REBILL_FORMATS)[number];

export class RebillQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REBILL_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REBILL_FORMATS)
  format?: RebillFormat;
}

export class DepartmentRebillQuery extends PageQuery {
  @ApiPropertyOptional({
    default: true,
    description: 'lines of the whole subtree (true) or of the department alone',
  })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean()
  subtree?: boolean;
}
