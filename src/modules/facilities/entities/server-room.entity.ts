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
import type { RoomStatus } from '../room-status.js';

/** A department's server room (机房) with its annual O&M cost (运维费), CNY as NUMERIC. */
@Entity('server_rooms')
@Index('uq_server_rooms_department_name', ['departmentId', 'name'], { unique: true })
export class ServerRoom {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  @ManyToOne('Department', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_server_rooms_department' })
  department?: object;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  address!: string | null;

  @Column({ name: 'floor_area_m2', type: 'double precision', default: 0 })
  floorAreaM2!: number;

  @Column({ type: 'integer', default: 0 })
  racks!: number;

  @Column({ name: 'it_power_kw', type: 'double precision', default: 0 })
  itPowerKw!: number;

  /** Power usage effectiveness: total facility power ÷ IT power. */
  @Column({ type: 'double precision', nullable: true })
  pue!: number | null;

  @Column({ name: 'utilisation_percent', type: 'double precision', nullable: true })
  utilisationPercent!: number | null;

  @Column({ name: 'condition_notes', type: 'text', nullable: true })
  conditionNotes!: string | null;

  /** Set by operators after an inspection; one of the closure-candidate rules. */
  @Column({ name: 'poorly_maintained', type: 'boolean', default: false })
  poorlyMaintained!: boolean;

  @Column({ name: 'cost_electricity', type: 'numeric', precision: 14, scale: 2, default: 0 })
  costElectricity!: string;

  @Column({ name: 'cost_maintenance', type: 'numeric', precision: 14, scale: 2, default: 0 })
  costMaintenance!: string;

  @Column({ name: 'cost_staff', type: 'numeric', precision: 14, scale: 2, default: 0 })
  costStaff!: string;

  @Column({ name: 'cost_network', type: 'numeric', precision: 14, scale: 2, default: 0 })
  costNetwork!: string;

  @Column({ name: 'cost_other', type: 'numeric', precision: 14, scale: 2, default: 0 })
  costOther!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: RoomStatus;

  /** The local calendar day the room closed; its O&M budget stops on 1 January of the next year. */
  @Column({ name: 'closed_on', type: 'date', nullable: true })
  closedOn!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
