import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A migration batch (批次) with its target date; systems join it easy-first (先易后难). */
@Entity('migration_waves')
export class MigrationWave {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_migration_waves_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'target_date', type: 'date' })
  targetDate!: string;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
