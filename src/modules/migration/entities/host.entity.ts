import {
  Column,
  Entity,
  Index,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { InformationSystem } from './information-system.entity.js';
import { MigrationTracked } from './tracked.js';

export const HOST_KINDS = ['physical', 'virtual'] as const;
export type HostKind = (typeof HOST_KINDS)[number];

/** A physical or virtual server (主机); re-imports match on department + hostname. */
@Entity('hosts')
@Index('uq_hosts_department_hostname', ['departmentId', 'hostname'], { unique: true })
@Index('ix_hosts_status', ['status'])
@Index('ix_hosts_server_room', ['serverRoomId'])
export class Host extends MigrationTracked {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne('Department', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_hosts_department' })
  department?: object;

  /** Declared for the foreign key to the room (facilities); the services work with serverRoomId. */
  @ManyToOne('ServerRoom', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'server_room_id', foreignKeyConstraintName: 'fk_hosts_server_room' })
  serverRoom?: object;

  @Column({ type: 'varchar', length: 253 })
  hostname!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: HostKind;

  @Column({ name: 'cpu_cores', type: 'integer', default: 0 })
  cpuCores!: number;

  @Column({ name: 'memory_gib', type: 'integer', default: 0 })
  memoryGib!: number;

  @Column({ name: 'disk_gib', type: 'integer', default: 0 })
  diskGib!: number;

  @Column({ type: 'varchar', length: 100, nullable: true })
  os!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  rack!: string | null;

  @Column({ name: 'rack_unit', type: 'varchar', length: 16, nullable: true })
  rackUnit!: string | null;

  @Column({ name: 'power_watts', type: 'integer', nullable: true })
  powerWatts!: number | null;

  @Column({ name: 'purchase_year', type: 'smallint', nullable: true })
  purchaseYear!: number | null;

  /** Hosted equipment (托管) that left the cloud data centre: its rack units bill up to this day (UTC). */
  @Column({ name: 'hosting_ended_on', type: 'date', nullable: true })
  hostingEndedOn!: string | null;

  /** The systems this host serves; only systems of the same department. */
  @ManyToMany(() => InformationSystem, { onDelete: 'CASCADE' })
  @JoinTable({
    name: 'system_hosts',
    joinColumn: {
      name: 'host_id',
      referencedColumnName: 'id',
      foreignKeyConstraintName: 'fk_system_hosts_host',
    },
    inverseJoinColumn: {
      name: 'system_id',
      referencedColumnName: 'id',
      foreignKeyConstraintName: 'fk_system_hosts_system',
    },
  })
  systems?: InformationSystem[];
}
