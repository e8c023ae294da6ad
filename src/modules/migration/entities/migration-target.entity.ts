import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A dated target such as "80% of non-classified systems migrated by 2018-12-31": the percentage applies
 * to every department in its scope (the subtree of scopeDepartmentId, or the whole city when null).
 */
@Entity('migration_targets')
export class MigrationTarget {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'due_date', type: 'date' })
  dueDate!: string;

  /** 0–100, the share of non-classified systems in scope that must be migrated. */
  @Column({ type: 'numeric', precision: 5, scale: 2 })
  percentage!: string;

  @Column({ name: 'scope_department_id', type: 'uuid', nullable: true })
  scopeDepartmentId!: string | null;

  @ManyToOne('Department', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'scope_department_id', foreignKeyConstraintName: 'fk_migration_targets_scope' })
  scopeDepartment?: object;

  @Column({ type: 'varchar', length: 200, nullable: true })
  label!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
