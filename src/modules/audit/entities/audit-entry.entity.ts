import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only: the database refuses UPDATE, DELETE and TRUNCATE on this table (see the migration). */
@Entity('audit_entries')
@Index('ix_audit_target', ['targetType', 'targetId'])
export class AuditEntry {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  // A BRIN: entries are appended in time order (see ProvisioningWritesLean).
  @Index('ix_audit_at', { synchronize: false })
  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  // The system's own entries (no actor) are not indexed: nobody looks them up by actor.
  @Index('ix_audit_actor', { where: 'actor_id IS NOT NULL' })
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_name', type: 'varchar', length: 64 })
  actorName!: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  role!: string | null;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 64 })
  targetType!: string;

  @Column({ name: 'target_id', type: 'varchar', length: 64 })
  targetId!: string;

  @Index('ix_audit_department')
  @Column({ name: 'department_id', type: 'uuid', nullable: true })
  departmentId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  after!: unknown;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;
}
