import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { POOL_TYPES, type PoolType, type ResourceKind } from '../../../../libs/drivers/index.js';
import type { Capacity } from '../pools/capacity.js';

export { POOL_TYPES, type PoolType, type ResourceKind };

export const POOL_TIERS = ['provider', 'self-managed'] as const;
export type PoolTier = (typeof POOL_TIERS)[number];

export const RESOURCE_KINDS: readonly ResourceKind[] = ['vm', 'container'];

/** Which kinds each pool type can run; placement reads this. The fake pool runs both, for tests and demos. */
export const KINDS_OF_POOL: Record<PoolType, readonly ResourceKind[]> = {
  kubernetes: ['container'],
  kubevirt: ['vm'],
  libvirt: ['vm'],
  fake: ['vm', 'container'],
};

/**
 * A place resources run: a Kubernetes cluster, a KubeVirt cluster, a KVM host, or the fake. Tender-bought
 * capacity is tier `provider`; the city's own data centre is `self-managed` (the only tier critical
 * systems may use). `allocated` is the sum of what placed, not-yet-deleted resources hold; it moves in
 * the same transaction as the resource, so capacity minus allocated is always what is left.
 */
@Entity('pools')
export class Pool {
  @PrimaryColumn('uuid')
  id!: string;

  @Index('uq_pools_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: PoolType;

  @Column({ type: 'varchar', length: 16 })
  tier!: PoolTier;

  /** AES-256-GCM (SecretBox) of the connection JSON; never selected unless asked for, never answered. */
  @Column({ name: 'connection_sealed', type: 'text', select: false })
  connectionSealed!: string;

  @Column({ type: 'jsonb' })
  capacity!: Capacity;

  @Column({ type: 'jsonb' })
  allocated!: Capacity;

  /** A disabled pool keeps its resources but takes no new ones. */
  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
