import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ChecklistEntry, MigrationStatus } from '../status-machine.js';

export type SubjectType = 'system' | 'host';

/**
 * One row per status change of a system or host, the first (from null) at creation. The asOf reports
 * reconstruct the past from these rows alone, so they are never updated.
 */
@Entity('migration_transitions')
@Index('ix_transitions_subject', ['subjectType', 'subjectId', 'at'])
@Index('ix_transitions_department', ['departmentId'])
export class MigrationTransition {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 8 })
  subjectType!: SubjectType;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId!: string;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  @Column({ name: 'from_status', type: 'varchar', length: 16, nullable: true })
  fromStatus!: MigrationStatus | null;

  @Column({ name: 'to_status', type: 'varchar', length: 16 })
  toStatus!: MigrationStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_name', type: 'varchar', length: 64 })
  actorName!: string;

  /** The evidence note: what was done, or why it is blocked. */
  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  checklist!: ChecklistEntry[] | null;

  @Column({ name: 'archive_ref', type: 'varchar', length: 200, nullable: true })
  archiveRef!: string | null;
}
