import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { OptionalText, PageQuery, Text } from '../../../common/dto.js';
import {
  ARCHITECTURES,
  AVAILABILITY_NEEDS,
  CLASSIFICATIONS,
  STRATEGIES,
  type Architecture,
  type AvailabilityNeed,
  type Classification,
  type Strategy,
} from '../difficulty.js';
import { MIGRATION_STATUSES, type MigrationStatus } from '../status-machine.js';

const StringList = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], description }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(50),
    IsString({ each: true }),
    MaxLength(100, { each: true }),
  );

export class CreateSystemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  departmentId!: string;

  @Text(200, 'e.g. 人口信息管理系统')
  name!: string;

  @OptionalText(2000)
  purpose?: string;

  @OptionalText(200, 'owner name and phone')
  ownerContact?: string;

  @ApiProperty({ enum: CLASSIFICATIONS })
  @IsIn(CLASSIFICATIONS)
  classification!: Classification;

  @ApiProperty({ minimum: 1, maximum: 4, description: 'graded protection (等级保护) level' })
  @IsInt()
  @Min(1)
  @Max(4)
  protectionLevel!: number;

  @ApiProperty({ enum: ARCHITECTURES })
  @IsIn(ARCHITECTURES)
  architecture!: Architecture;

  @StringList('database products, e.g. Oracle 11g')
  databases?: string[];

  @StringList('middleware, e.g. WebLogic')
  middleware?: string[];

  @StringList('special devices, e.g. 加密机, CA')
  specialDevices?: string[];

  @ApiPropertyOptional({ minimum: 0, maximum: 2_000_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_000_000_000) // as the spreadsheet import (inventory-sheets.ts)
  dataVolumeGb?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 2_000_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_000_000_000) // as the spreadsheet import (inventory-sheets.ts)
  userCount?: number;

  @ApiPropertyOptional({ enum: AVAILABILITY_NEEDS })
  @IsOptional()
  @IsIn(AVAILABILITY_NEEDS)
  availability?: AvailabilityNeed;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  critical?: boolean;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  serverRoomId?: string | null;
}

export class UpdateSystemDto extends PartialType(OmitType(CreateSystemDto, ['departmentId'] as const)) {}

export class OverrideStrategyDto {
  @ApiProperty({ enum: STRATEGIES, nullable: true, description: 'null clears the override' })
  @IsOptional()
  @IsIn(STRATEGIES)
  strategy!: Strategy | null;

  @Text(2000, 'why the suggestion does not fit')
  reason!: string;
}

export class ListInventoryQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'this department and its subtree' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ enum: MIGRATION_STATUSES })
  @IsOptional()
  @IsIn(MIGRATION_STATUSES)
  status?: MigrationStatus;
}
