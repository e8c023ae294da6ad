import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Matches,
  Min,
} from 'class-validator';
import { Nested, OptionalNotNull, PageQuery, Text } from '../../../common/dto.js';
import { RESOURCE_KINDS, type ResourceKind } from '../entities/pool.entity.js';
import { RESOURCE_STATES, type ResourceState } from '../resources/resource-states.js';

const Whole = (min: number, max: number, optional: boolean) => (target: object, key: string) => {
  (optional
    ? ApiPropertyOptional({ minimum: min, maximum: max })
    : ApiProperty({ minimum: min, maximum: max }))(target, key);
  // Null is not "unchanged": it would reach the resize as a size of nothing.
  if (optional) OptionalNotNull()(target, key);
  IsInt()(target, key);
  Min(min)(target, key);
  Max(max)(target, key);
};

const IMAGE = /^[^\s\p{Cc}]+$/u;

/** The sizes a resize may change; every field optional. */
export class ResizeSpecDto {
  @Whole(1, 256, true)
  vcpu?: number;

  @Whole(1, 4096, true)
  memoryGiB?: number;

  @Whole(0, 65_536, true)
  storageGiB?: number;

  @Whole(0, 16, true)
  gpu?: number;

  @Whole(1, 100, true)
  replicas?: number;
}

export class ResourceSpecDto {
  @Whole(1, 256, false)
  vcpu!: number;

  @Whole(1, 4096, false)
  memoryGiB!: number;

  @Whole(0, 65_536, false)
  storageGiB!: number;

  @Whole(0, 16, true)
  gpu?: number;

  @Text(500, 'container image, or VM image / template name')
  // It reaches the pool as it is (a Deployment's image, a domain's metadata): one word, printable.
  @Matches(IMAGE, {
    message: '$property must be an image reference or template name, without spaces or control characters',
  })
  image!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, description: 'containers only' })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  replicas?: number;

  @ApiPropertyOptional({ type: [Number], description: 'TCP ports to expose' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(65_535, { each: true })
  ports?: number[];
}

export class CreateResourceDto {
  @ApiPropertyOptional({ format: 'uuid', description: "defaults to a dept-admin's own department" })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'a specific pool; otherwise placement chooses' })
  @IsOptional()
  @IsUUID()
  poolId?: string;

  @ApiProperty({ enum: RESOURCE_KINDS })
  @IsIn(RESOURCE_KINDS)
  kind!: ResourceKind;

  @Text(63, 'unique among the department’s live resources, e.g. 人口库-db-01')
  name!: string;

  @Nested(ResourceSpecDto)
  spec!: ResourceSpecDto;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  // As sent: class-transformer would drop keys Object.prototype has (toString, constructor), valid label keys.
  @Transform(({ obj }: { obj: Record<string, unknown> }) => obj.labels, { toClassOnly: true })
  @IsOptional()
  @IsObject()
  labels?: Record<string, string>;

  @ApiPropertyOptional({ description: 'for a critical system: self-managed pools only' })
  @IsOptional()
  @IsBoolean()
  critical?: boolean;
}

/** The most resources one bulk request asks for. */
export const MAX_BULK_COUNT = 100;

export class CreateResourcesDto extends CreateResourceDto {
  @ApiProperty({
    minimum: 1,
    maximum: MAX_BULK_COUNT,
    description:
      'how many resources of this spec: named <name>-01, <name>-02 …, all admitted on one pool or none',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_BULK_COUNT)
  count!: number;
}

export class ResizeResourceDto {
  @Nested(ResizeSpecDto)
  spec!: ResizeSpecDto;
}

export class ResourceFilter {
  @ApiPropertyOptional({ format: 'uuid', description: 'this department and its subtree' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ enum: RESOURCE_STATES })
  @IsOptional()
  @IsIn(RESOURCE_STATES)
  state?: ResourceState;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  poolId?: string;

  @ApiPropertyOptional({ enum: RESOURCE_KINDS })
  @IsOptional()
  @IsIn(RESOURCE_KINDS)
  kind?: ResourceKind;

  @ApiPropertyOptional({ maxLength: 63 })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  name?: string;
}

export class ListResourcesQuery extends IntersectionType(ResourceFilter, PageQuery) {}
