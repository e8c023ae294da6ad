import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { OptionalText } from '../../../common/dto.js';
import { MIGRATION_STATUSES, VERIFICATION_CHECKS, type MigrationStatus } from '../status-machine.js';

export class ChecklistEntryDto {
  @ApiProperty({ enum: VERIFICATION_CHECKS.map((c) => c.item) })
  @IsString()
  @MaxLength(64)
  item!: string;

  @ApiProperty()
  @IsBoolean()
  passed!: boolean;

  @OptionalText(1000)
  note?: string;
}

export class TransitionDto {
  @ApiProperty({ enum: MIGRATION_STATUSES })
  @IsIn(MIGRATION_STATUSES)
  to!: MigrationStatus;

  @OptionalText(4000, 'evidence note; the reason when blocking')
  note?: string;

  @ApiPropertyOptional({ type: [ChecklistEntryDto], description: 'required to leave verifying for migrated' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ChecklistEntryDto)
  checklist?: ChecklistEntryDto[];

  @OptionalText(200, 'archive record reference (档案编号); required for archived')
  archiveRef?: string;
}
