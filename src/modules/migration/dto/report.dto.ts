import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { NumberWithDecimals, OptionalText } from '../../../common/dto.js';
import { DateOnly } from './planning.dto.js';

const OptionalDate = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ format: 'date', description }),
    IsOptional(),
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date YYYY-MM-DD' }),
    IsISO8601({ strict: true }, { message: '$property must be a real date' }),
  );

export class MigrationReportQuery {
  @OptionalDate(
    'the table as it was at the end of this day in China Standard Time (Asia/Shanghai); default today there',
  )
  asOf?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format?: 'json' | 'csv' | 'xlsx';

  @ApiPropertyOptional({ format: 'uuid', description: 'only this department and its subtree' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class BurnupQuery {
  @OptionalDate('first week (the Monday on or before it); default 12 weeks before to')
  from?: string;

  @OptionalDate('last day; default today in China Standard Time')
  to?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class CreateTargetDto {
  @DateOnly('migrated by the end of this day in China Standard Time')
  dueDate!: string;

  @ApiProperty({ minimum: 0, maximum: 100, example: 80 })
  @NumberWithDecimals(2)
  @Min(0)
  @Max(100)
  percentage!: number;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'the subtree it applies to; the whole city when absent',
  })
  @IsOptional()
  @IsUUID()
  scopeDepartmentId?: string;

  @OptionalText(200, 'e.g. 2018年底市级部门非涉密系统迁移80%')
  label?: string;
}
