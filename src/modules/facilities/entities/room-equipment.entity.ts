import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** What became of a host's equipment when its room closed: into a cloud pool, or disposed of. */
@Entity('room_equipment')
@Index('ix_room_equipment_room', ['roomId'])
export class RoomEquipment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'room_id', type: 'uuid' })
  roomId!: string;

  @ManyToOne('ServerRoom', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'room_id', foreignKeyConstraintName: 'fk_room_equipment_room' })
  room?: object;

  @Column({ name: 'host_id', type: 'uuid' })
  hostId!: string;

  @ManyToOne('Host', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'host_id', foreignKeyConstraintName: 'fk_room_equipment_host' })
  host?: object;

  @Column({ type: 'varchar', length: 16 })
  disposition!: 'transferred' | 'disposed';

  @Column({ name: 'pool_id', type: 'uuid', nullable: true })
  poolId!: string | null;

  @ManyToOne('Pool', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pool_id', foreignKeyConstraintName: 'fk_room_equipment_pool' })
  pool?: object;

  /** The capacity the pool gained (vcpu, memoryGiB, storageGiB, gpu). */
  @Column({ type: 'jsonb', nullable: true })
  capacity!: Record<string, number> | null;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
