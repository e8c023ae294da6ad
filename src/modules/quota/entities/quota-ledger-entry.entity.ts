import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './bigint-number.js';

export const LEDGER_ACTIONS = ['reserve', 'commit', 'release', 'adjust'] as const;
export type LedgerAction = (typeof LEDGER_ACTIONS)[number];

/**
 * Append-only (the database refuses UPDATE, DELETE and TRUNCATE): one entry per change of a resource's
 * quota use, with signed amounts per dimension. A department's use is the sum of its entries.
 * reserve, commit and release happen at most once per resource (unique index), so a retried call finds
 * its entry and does nothing; adjust entries carry resize deltas and are idempotent by construction
 * (the service computes the delta from the ledger under the department's lock).
 */
@Entity('quota_ledger')
@Check('ck_quota_ledger_action', `action IN ('reserve', 'commit', 'release', 'adjust')`)
@Index('uq_quota_ledger_resource_action', ['resourceId', 'action'], {
  unique: true,
  where: `action <> 'adjust'`,
})
export class QuotaLedgerEntry {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Index('ix_quota_ledger_department')
  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  @ManyToOne('Department', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_quota_ledger_department' })
  department?: object;

  /** The resource (VM or container) the entry is for; no foreign key, as resources live in provisioning. */
  @Index('ix_quota_ledger_resource')
  @Column({ name: 'resource_id', type: 'uuid' })
  resourceId!: string;

  @Column({ type: 'varchar', length: 16 })
  action!: LedgerAction;

  @Column({ name: 'vcpu', type: 'bigint', default: 0, transformer: bigintNumber })
  vcpu!: number;

  @Column({ name: 'memory_gib', type: 'bigint', default: 0, transformer: bigintNumber })
  memoryGiB!: number;

  @Column({ name: 'storage_gib', type: 'bigint', default: 0, transformer: bigintNumber })
  storageGiB!: number;

  @Column({ name: 'gpu', type: 'bigint', default: 0, transformer: bigintNumber })
  gpu!: number;

  @Column({ name: 'public_ip', type: 'bigint', default: 0, transformer: bigintNumber })
  publicIp!: number;

  @Column({ name: 'instances', type: 'bigint', default: 0, transformer: bigintNumber })
  instances!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;
}
