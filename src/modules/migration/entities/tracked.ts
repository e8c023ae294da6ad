import { Column, CreateDateColumn, UpdateDateColumn } from 'typeorm';
import type { MigrationStatus } from '../status-machine.js';

/**
 * The columns systems and hosts share: owner department and migration status. The history of the
 * status lives in migration_transitions; these columns are its latest row, kept for fast lists.
 */
export abstract class MigrationTracked {
  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  @Column({ type: 'varchar', length: 16, default: 'inventoried' })
  status!: MigrationStatus;

  /** While blocked: the status to return to. */
  @Column({ name: 'blocked_from', type: 'varchar', length: 16, nullable: true })
  blockedFrom!: MigrationStatus | null;

  /** The archive record (档案) reference, once archived. */
  @Column({ name: 'archive_ref', type: 'varchar', length: 200, nullable: true })
  archiveRef!: string | null;

  /** Where it physically sits; the server room (facilities) is referenced by id. */
  @Column({ name: 'server_room_id', type: 'uuid', nullable: true })
  serverRoomId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
