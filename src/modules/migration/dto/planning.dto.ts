import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { CalendarDate, OptionalText, Text } from '../../../common/dto.js';

export const DateOnly = (description?: string) =>
  applyDecorators(ApiProperty({ format: 'date', example: '2026-12-31', description }), CalendarDate());

export class CreateWaveDto {
  @Text(100, 'e.g. 第一批 2026Q1')
  name!: string;

  @DateOnly('the date the wave should be migrated by')
  targetDate!: string;

  @OptionalText(2000)
  note?: string;
}

export class UpdateWaveDto extends PartialType(CreateWaveDto) {}

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class SuggestionQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 20 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  size?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'only systems of this department and its subtree' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class FillWaveDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 20 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  size?: number;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class WaveSystemsDto {
  @ApiProperty({ type: [String], description: 'system ids to add to the wave' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  systemIds!: string[];
}

export class LinkResourcesDto {
  @ApiProperty({
    type: [String],
    description: 'the cloud resources that now run the system (replaces the list)',
  })
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  resourceIds!: string[];
}
