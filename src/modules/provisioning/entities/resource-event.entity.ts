import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ResourceState } from '../resources/resource-states.js';
import type { ResourceSpec } from './resource.entity.js';

export type ResourceEventType = 'transition' | 'resized';

/**
 * One row per state transition or resize; append-only. Billing meters these rows (compute bills while
 * running; storage from the first running until deleted), so their shape is a contract: do not
 * change it without the billing capability. A 'resized' row has from_state = to_state = the state
 * the resource was in, and `spec` is always the spec in force after the event. Written only with its
 * resource's row, from it, so no foreign key checks each event (resources are never deleted: see the
 * migration ResourceEventsWriteLean).
 */
@Entity('resource_events')
@Index('ix_resource_events_resource', ['resourceId', 'occurredAt', 'id'])
@Index('ix_resource_events_occurred', ['occurredAt'])
@Index('ix_resource_events_deleted', ['resourceId', 'occurredAt'], { where: `to_state = 'deleted'` })
export class ResourceEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'resource_id', type: 'uuid' })
  resourceId!: string;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  @Column({ name: 'pool_id', type: 'uuid' })
  poolId!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: ResourceEventType;

  @Column({ name: 'from_state', type: 'varchar', length: 16, nullable: true })
  fromState!: ResourceState | null;

  @Column({ name: 'to_state', type: 'varchar', length: 16 })
  toState!: ResourceState;

  @Column({ type: 'jsonb' })
  spec!: ResourceSpec;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** clock_timestamp(), not now(): several events in one transaction keep their order in time. */
  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  occurredAt!: Date;
}
