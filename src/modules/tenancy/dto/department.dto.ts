import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { Code, OptionalNotNull, OptionalText, Text } from '../../../common/dto.js';
import { DEPARTMENT_KINDS, type DepartmentKind } from '../entities/department.entity.js';

export class CreateDepartmentDto {
  @Code()
  code!: string;

  @Text(200, 'Chinese name, e.g. 市公安局')
  name!: string;

  @OptionalText(200, 'English name')
  nameEn?: string;

  @ApiProperty({ enum: DEPARTMENT_KINDS })
  @IsIn(DEPARTMENT_KINDS)
  kind!: DepartmentKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'required for every kind but city' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional({ description: 'critical departments use self-managed pools only' })
  @IsOptional()
  @IsBoolean()
  critical?: boolean;
}

export class UpdateDepartmentDto {
  @Text(200, 'Chinese name', { optional: true })
  name?: string;

  @OptionalText(200)
  nameEn?: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  critical?: boolean;
}

export class MoveDepartmentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  parentId!: string;
}

export class ListDepartmentsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'list this department and its subtree' })
  @IsOptional()
  @IsUUID()
  rootId?: string;

  @ApiPropertyOptional({ enum: DEPARTMENT_KINDS })
  @IsOptional()
  @IsIn(DEPARTMENT_KINDS)
  kind?: DepartmentKind;
}
