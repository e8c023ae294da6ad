import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const DEPARTMENT_KINDS = ['city', 'district', 'department', 'unit'] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

/** Which kinds may sit directly under which: municipal departments hang from the city or a district. */
export const ALLOWED_PARENT_KINDS: Record<DepartmentKind, readonly DepartmentKind[]> = {
  city: [],
  district: ['city'],
  department: ['city', 'district'],
  unit: ['department'],
};

@Entity('departments')
export class Department {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_departments_code', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'name_en', type: 'varchar', length: 200, nullable: true })
  nameEn!: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind!: DepartmentKind;

  @Index('ix_departments_parent')
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  /** Declared for the foreign key only; the service works with parentId. */
  @ManyToOne('Department', { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_departments_parent' })
  parent?: object;

  /** Materialised path of ids, '/root/.../self/', so a subtree is one indexed prefix match. */
  // text_pattern_ops, for prefix LIKE; created by the migration, which TypeORM cannot express.
  @Index('ix_departments_path', { synchronize: false })
  @Column({ type: 'text' })
  path!: string;

  /** Critical departments may only be placed on self-managed pools. */
  @Column({ type: 'boolean', default: false })
  critical!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
