import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import type { CsvEncoding, SheetFormat } from './spreadsheet.js';

export class SheetQuery {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' })
  @IsOptional()
  @IsIn(['xlsx', 'csv'])
  format?: SheetFormat;

  @ApiPropertyOptional({
    enum: ['utf-8', 'gb18030'],
    description: 'CSV only. Exports default to UTF-8 with a BOM; imports detect it when not given',
  })
  @IsOptional()
  @IsIn(['utf-8', 'gb18030'])
  encoding?: CsvEncoding;
}

export class ExportQuery extends SheetQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'this department and its subtree' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class ImportQuery {
  @ApiPropertyOptional({ enum: ['utf-8', 'gb18030'], description: 'CSV only; detected when not given' })
  @IsOptional()
  @IsIn(['utf-8', 'gb18030'])
  encoding?: CsvEncoding;
}
