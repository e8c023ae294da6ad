import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const RECONCILE_ACTIONS = ['recreated', 'redriven', 'orphan', 'capacity-drift', 'error'] as const;
export type ReconcileAction = (typeof RECONCILE_ACTIONS)[number];

/**
 * What the reconciler found and did on a pool: a missing object recreated, a resource stuck in a working
 * state with no job driven again, an object carrying our labels that no live resource owns (reported,
 * never deleted: a person decides), capacity the pool's books hold that its live resources do not (or
 * the reverse), or a pass that failed.
 * Kept apart from resource_events, whose rows billing meters.
 */
@Entity('reconcile_events')
@Index('ix_reconcile_events_pool', ['poolId', 'occurredAt'])
export class ReconcileEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'pool_id', type: 'uuid' })
  poolId!: string;

  @Column({ name: 'resource_id', type: 'uuid', nullable: true })
  resourceId!: string | null;

  @Column({ name: 'object_name', type: 'varchar', length: 253, nullable: true })
  objectName!: string | null;

  @Column({ type: 'varchar', length: 16 })
  action!: ReconcileAction;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  occurredAt!: Date;
}
