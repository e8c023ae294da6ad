import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { CalendarDate, OptionalText, Text } from '../../../common/dto.js';
import { HOST_KINDS, type HostKind } from '../entities/host.entity.js';

export class CreateHostDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  departmentId!: string;

  @Text(253)
  hostname!: string;

  @ApiProperty({ enum: HOST_KINDS })
  @IsIn(HOST_KINDS)
  kind!: HostKind;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  cpuCores?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 2_000_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_000_000_000) // as the spreadsheet import (inventory-sheets.ts)
  memoryGib?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 2_000_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_000_000_000) // as the spreadsheet import (inventory-sheets.ts)
  diskGib?: number;

  @OptionalText(100)
  os?: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  serverRoomId?: string | null;

  @OptionalText(32)
  rack?: string;

  @OptionalText(16)
  rackUnit?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000) // as the spreadsheet import (inventory-sheets.ts)
  powerWatts?: number;

  @ApiPropertyOptional({ minimum: 1970, maximum: 2100 })
  @IsOptional()
  @IsInt()
  @Min(1970)
  @Max(2100)
  purchaseYear?: number;

  @ApiPropertyOptional({ type: [String], description: 'ids of the systems of the same department it serves' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  systemIds?: string[];
}

export class UpdateHostDto extends PartialType(OmitType(CreateHostDto, ['departmentId'] as const)) {
  @ApiPropertyOptional({
    format: 'date',
    nullable: true,
    description:
      'hosted equipment: the day it left the cloud data centre (operators only); null: still there',
  })
  @IsOptional()
  @CalendarDate()
  hostingEndedOn?: string | null;
}
