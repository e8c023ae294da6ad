import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AuditExportState = 'queued' | 'done' | 'failed';

/** A CSV of audit entries built by a worker: the end-to-end proof of API → outbox → queue → worker. */
@Entity('audit_exports')
export class AuditExport {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy!: string;

  @Column({ type: 'jsonb' })
  filters!: Record<string, string | undefined>;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  state!: AuditExportState;

  @Column({ name: 'row_count', type: 'integer', nullable: true })
  rowCount!: number | null;

  @Column({ type: 'text', nullable: true, select: false })
  content!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
