import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Nested, OptionalNotNull, PageQuery, Text } from '../../../common/dto.js';
import { POOL_TIERS, POOL_TYPES, type PoolTier, type PoolType } from '../entities/pool.entity.js';
import { RECONCILE_ACTIONS, type ReconcileAction } from '../entities/reconcile-event.entity.js';

export const CAPACITY_MAX = 1_000_000_000;

const Amount = (required: boolean) => (target: object, key: string) => {
  (required ? ApiProperty({ minimum: 0 }) : ApiPropertyOptional({ minimum: 0, default: 0 }))(target, key);
  if (!required) IsOptional()(target, key);
  IsInt()(target, key);
  Min(0)(target, key);
  Max(CAPACITY_MAX)(target, key);
};

export class CapacityDto {
  @Amount(true)
  vcpu!: number;

  @Amount(true)
  memoryGiB!: number;

  @Amount(true)
  storageGiB!: number;

  @Amount(false)
  gpu?: number;
}

/** Amounts to add to a pool's capacity (a closed server room's equipment joining the pool). */
export class CapacityDeltaDto {
  @Amount(false)
  vcpu?: number;

  @Amount(false)
  memoryGiB?: number;

  @Amount(false)
  storageGiB?: number;

  @Amount(false)
  gpu?: number;
}

const CONNECTION_DOC =
  'secret, stored encrypted and never answered: libvirt a URI (qemu:///system, qemu+ssh://host/system) or JSON {"uri", "domainType": "kvm"|"qemu", "shutdownTimeoutMs": 0..600000 (default 60000), "storagePool", "volumeFormat": "qcow2"|"raw", "commandTimeoutMs": 1000..600000}; kubernetes and kubevirt a kubeconfig (YAML); fake "" or JSON {"latencyMs":0,"failureRate":0}';
const CONNECTION_MAX = 256 * 1024;

export class CreatePoolDto {
  @Text(100, 'e.g. 政务云-供应商A')
  name!: string;

  @ApiProperty({ enum: POOL_TYPES })
  @IsIn(POOL_TYPES)
  type!: PoolType;

  @ApiProperty({ enum: POOL_TIERS })
  @IsIn(POOL_TIERS)
  tier!: PoolTier;

  @ApiProperty({ maxLength: CONNECTION_MAX, description: CONNECTION_DOC })
  @IsString()
  @MaxLength(CONNECTION_MAX)
  connection!: string;

  @Nested(CapacityDto)
  capacity!: CapacityDto;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdatePoolDto {
  @Text(100, undefined, { optional: true })
  name?: string;

  @ApiPropertyOptional({ enum: POOL_TIERS })
  @OptionalNotNull()
  @IsIn(POOL_TIERS)
  tier?: PoolTier;

  @ApiPropertyOptional({ maxLength: CONNECTION_MAX, description: CONNECTION_DOC })
  @OptionalNotNull()
  @IsString()
  @MaxLength(CONNECTION_MAX)
  connection?: string;

  @Nested(CapacityDto, { optional: true, description: 'may not fall below what is allocated' })
  capacity?: CapacityDto;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class AddCapacityDto {
  @Nested(CapacityDeltaDto)
  amounts!: CapacityDeltaDto;

  @Text(500, 'why, e.g. equipment from the closed 市统计局 server room')
  reason!: string;
}

export class ReconcileEventsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: RECONCILE_ACTIONS })
  @IsOptional()
  @IsIn(RECONCILE_ACTIONS)
  action?: ReconcileAction;
}
