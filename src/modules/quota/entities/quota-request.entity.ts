import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { PartialAmounts } from '../quota-amounts.js';

export const QUOTA_REQUEST_STATES = ['pending', 'approved', 'rejected'] as const;
export type QuotaRequestState = (typeof QUOTA_REQUEST_STATES)[number];

/** The allowed transitions, written once: the service enforces them and a refused one answers 409. */
export const QUOTA_REQUEST_TRANSITIONS: Record<QuotaRequestState, readonly QuotaRequestState[]> = {
  pending: ['approved', 'rejected'],
  approved: [],
  rejected: [],
};

/** A dept-admin's ask for new limits (absolute values, not increments) for its department or a descendant. */
@Entity('quota_requests')
@Check('ck_quota_requests_state', `state IN ('pending', 'approved', 'rejected')`)
@Index('ix_quota_requests_state', ['state', 'createdAt'])
export class QuotaRequest {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('ix_quota_requests_department')
  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  @ManyToOne('Department', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_quota_requests_department' })
  department?: object;

  /** The limits asked for. */
  @Column({ type: 'jsonb' })
  limits!: PartialAmounts;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  state!: QuotaRequestState;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy!: string;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'requested_by', foreignKeyConstraintName: 'fk_quota_requests_requested_by' })
  requester?: object;

  /** The limits applied on approval: equal to or lower than asked, per dimension. */
  @Column({ name: 'approved_limits', type: 'jsonb', nullable: true })
  approvedLimits!: PartialAmounts | null;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy!: string | null;

  @ManyToOne('User', { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'decided_by', foreignKeyConstraintName: 'fk_quota_requests_decided_by' })
  decider?: object;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  /** The operator's comment on approval, or the reason for a rejection. */
  @Column({ name: 'decision_comment', type: 'text', nullable: true })
  decisionComment!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
