import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { DateTime, PageQuery } from '../../../common/dto.js';

export class AuditFilterDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ description: 'the username that acted (actor name), exactly' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actorName?: string;

  @ApiPropertyOptional({ description: 'e.g. rebill.finalize; ending in "." every action of that kind' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ description: 'e.g. department, quota-request, resource' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'entries of this department and its subtree' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @DateTime()
  to?: string;
}

export class AuditQueryDto extends IntersectionType(AuditFilterDto, PageQuery) {}
