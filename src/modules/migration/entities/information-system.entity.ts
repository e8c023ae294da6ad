import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Architecture, AvailabilityNeed, Classification, Strategy } from '../difficulty.js';
import { MigrationTracked } from './tracked.js';

/** An information system (信息系统) of a department; re-imports match on department + name. */
@Entity('information_systems')
@Index('uq_systems_department_name', ['departmentId', 'name'], { unique: true })
@Index('ix_systems_status', ['status'])
export class InformationSystem extends MigrationTracked {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne('Department', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_systems_department' })
  department?: object;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  purpose!: string | null;

  @Column({ name: 'owner_contact', type: 'varchar', length: 200, nullable: true })
  ownerContact!: string | null;

  @Column({ type: 'varchar', length: 16 })
  classification!: Classification;

  /** Graded protection (等级保护) level 1–4. */
  @Column({ name: 'protection_level', type: 'smallint' })
  protectionLevel!: number;

  @Column({ type: 'varchar', length: 8 })
  architecture!: Architecture;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  databases!: string[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  middleware!: string[];

  @Column({ name: 'special_devices', type: 'jsonb', default: () => "'[]'" })
  specialDevices!: string[];

  @Column({ name: 'data_volume_gb', type: 'integer', default: 0 })
  dataVolumeGb!: number;

  @Column({ name: 'user_count', type: 'integer', default: 0 })
  userCount!: number;

  @Column({ type: 'varchar', length: 16, default: 'standard' })
  availability!: AvailabilityNeed;

  @Column({ type: 'boolean', default: false })
  critical!: boolean;

  /** Computed from the attributes on every write (difficulty.ts); stored so easy-first is one sorted query. */
  @Column({ name: 'difficulty_score', type: 'smallint' })
  difficultyScore!: number;

  @Column({ name: 'suggested_strategy', type: 'varchar', length: 24 })
  suggestedStrategy!: Strategy;

  /** An operator's choice over the suggestion, with the reason; audited. */
  @Column({ name: 'strategy_override', type: 'varchar', length: 24, nullable: true })
  strategyOverride!: Strategy | null;

  @Column({ name: 'override_reason', type: 'text', nullable: true })
  overrideReason!: string | null;

  /** The migration batch (批次) it is planned in. */
  @Index('ix_systems_wave')
  @Column({ name: 'wave_id', type: 'uuid', nullable: true })
  waveId!: string | null;

  @ManyToOne('MigrationWave', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'wave_id', foreignKeyConstraintName: 'fk_systems_wave' })
  wave?: object;
}
