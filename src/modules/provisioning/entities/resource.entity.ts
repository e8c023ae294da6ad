import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { DesiredState, ResourceState } from '../resources/resource-states.js';
import type { ObservedObject, ResourceKind, ResourceSpec } from '../../../../libs/drivers/index.js';

export type { ResourceSpec };

/**
 * A VM or a container set, from request to deletion. `state` is where it is (moved only through
 * ResourceTransitions, which records an event and an audit entry per move); `desiredState` is where
 * its owner wants it, towards which the worker converges. Never deleted: 'deleted' is a state, and the
 * database refuses DELETE (see ResourceEventsWriteLean).
 */
// No index holds the state: a move then updates the row in place (see ProvisioningWritesLean).
@Entity('resources')
@Index('ix_resources_department', ['departmentId'])
@Index('ix_resources_pool', ['poolId'])
@Index('ix_resources_pool_live', ['poolId'], { where: 'deleted_at IS NULL' })
// A live resource's name is unique in its department; a deleted one frees its name.
@Index('uq_resources_live_name', ['departmentId', 'name'], { unique: true, where: 'deleted_at IS NULL' })
@Check('ck_resources_deleted_at', `(state = 'deleted') = (deleted_at IS NOT NULL)`)
@Index('uq_resources_idempotency', ['requestedBy', 'idempotencyKey'], {
  unique: true,
  where: 'idempotency_key IS NOT NULL',
})
export class Resource {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  @ManyToOne('Department', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_resources_department' })
  department?: object;

  @Column({ name: 'pool_id', type: 'uuid' })
  poolId!: string;

  @ManyToOne('Pool', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pool_id', foreignKeyConstraintName: 'fk_resources_pool' })
  pool?: object;

  @Column({ type: 'varchar', length: 16 })
  kind!: ResourceKind;

  @Column({ type: 'varchar', length: 63 })
  name!: string;

  @Column({ type: 'jsonb' })
  spec!: ResourceSpec;

  /** Raised by every resize. */
  @Column({ name: 'spec_version', type: 'integer', default: 1 })
  specVersion!: number;

  /**
   * The spec_version the pool's object was last brought to by a driver call; null until the first
   * (and on rows made before versions were kept, which count as having their spec).
   */
  @Column({ name: 'applied_spec_version', type: 'integer', nullable: true })
  appliedSpecVersion!: number | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  labels!: Record<string, string>;

  /** Placed on self-managed pools only: its department (or an ancestor) or the request said so. */
  @Column({ type: 'boolean', default: false })
  critical!: boolean;

  @Column({ type: 'varchar', length: 16 })
  state!: ResourceState;

  @Column({ name: 'desired_state', type: 'varchar', length: 16 })
  desiredState!: DesiredState;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  /** What the driver last reported (object name, node, address…); informational. */
  @Column({ type: 'jsonb', nullable: true })
  observed!: ObservedObject | null;

  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedBy!: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true, select: false })
  idempotencyKey!: string | null;

  /** SHA-256 of the request body sent with the Idempotency-Key: the same key with another body is refused. */
  @Column({ name: 'request_hash', type: 'char', length: 64, nullable: true, select: false })
  requestHash!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** When it moved to deleted (set by the database, see ProvisioningWritesLean); null while it lives. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
