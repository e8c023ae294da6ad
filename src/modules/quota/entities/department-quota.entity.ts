import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { COLUMN, QUOTA_DIMENSIONS } from '../quota-dimensions.js';
import { bigintNumber } from './bigint-number.js';

/** The allocation model's invariant, held by the database too: use plus what was handed out fits the limit. */
const WITHIN_LIMIT = QUOTA_DIMENSIONS.map(
  (d) =>
    `${COLUMN[d]}_used >= 0 AND ${COLUMN[d]}_allocated >= 0 AND ${COLUMN[d]}_used + ${COLUMN[d]}_allocated <= ${COLUMN[d]}_limit`,
).join(' AND ');

/**
 * One row per department: its limits, the cached sum of its ledger (used) and the sum of the limits
 * it has handed to its child departments (allocated). Admission locks this row (SELECT ... FOR UPDATE);
 * limit changes lock the parent's row first, then the child's (root to leaf), so the cached columns
 * only ever change under that lock. The drift check recomputes used and allocated from their sources.
 */
@Entity('department_quotas')
@Check('ck_department_quotas_within_limit', WITHIN_LIMIT)
export class DepartmentQuota {
  @PrimaryColumn({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  // RESTRICT: a department whose quota was ever set is not deleted silently under its parent's allocation.
  @ManyToOne('Department', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_department_quotas_department' })
  department?: object;

  @Column({ name: 'vcpu_limit', type: 'bigint', default: 0, transformer: bigintNumber })
  vcpuLimit!: number;

  @Column({ name: 'memory_gib_limit', type: 'bigint', default: 0, transformer: bigintNumber })
  memoryGiBLimit!: number;

  @Column({ name: 'storage_gib_limit', type: 'bigint', default: 0, transformer: bigintNumber })
  storageGiBLimit!: number;

  @Column({ name: 'gpu_limit', type: 'bigint', default: 0, transformer: bigintNumber })
  gpuLimit!: number;

  @Column({ name: 'public_ip_limit', type: 'bigint', default: 0, transformer: bigintNumber })
  publicIpLimit!: number;

  @Column({ name: 'instances_limit', type: 'bigint', default: 0, transformer: bigintNumber })
  instancesLimit!: number;

  @Column({ name: 'vcpu_used', type: 'bigint', default: 0, transformer: bigintNumber })
  vcpuUsed!: number;

  @Column({ name: 'memory_gib_used', type: 'bigint', default: 0, transformer: bigintNumber })
  memoryGiBUsed!: number;

  @Column({ name: 'storage_gib_used', type: 'bigint', default: 0, transformer: bigintNumber })
  storageGiBUsed!: number;

  @Column({ name: 'gpu_used', type: 'bigint', default: 0, transformer: bigintNumber })
  gpuUsed!: number;

  @Column({ name: 'public_ip_used', type: 'bigint', default: 0, transformer: bigintNumber })
  publicIpUsed!: number;

  @Column({ name: 'instances_used', type: 'bigint', default: 0, transformer: bigintNumber })
  instancesUsed!: number;

  @Column({ name: 'vcpu_allocated', type: 'bigint', default: 0, transformer: bigintNumber })
  vcpuAllocated!: number;

  @Column({ name: 'memory_gib_allocated', type: 'bigint', default: 0, transformer: bigintNumber })
  memoryGiBAllocated!: number;

  @Column({ name: 'storage_gib_allocated', type: 'bigint', default: 0, transformer: bigintNumber })
  storageGiBAllocated!: number;

  @Column({ name: 'gpu_allocated', type: 'bigint', default: 0, transformer: bigintNumber })
  gpuAllocated!: number;

  @Column({ name: 'public_ip_allocated', type: 'bigint', default: 0, transformer: bigintNumber })
  publicIpAllocated!: number;

  @Column({ name: 'instances_allocated', type: 'bigint', default: 0, transformer: bigintNumber })
  instancesAllocated!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
