import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** A network line lease (专线租用) of a server room. */
@Entity('network_leases')
@Index('ix_network_leases_room', ['roomId'])
export class NetworkLease {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'room_id', type: 'uuid' })
  roomId!: string;

  @ManyToOne('ServerRoom', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'room_id', foreignKeyConstraintName: 'fk_network_leases_room' })
  room?: object;

  @Column({ type: 'varchar', length: 200 })
  provider!: string;

  @Column({ name: 'bandwidth_mbps', type: 'integer' })
  bandwidthMbps!: number;

  @Column({ name: 'monthly_fee', type: 'numeric', precision: 12, scale: 2 })
  monthlyFee!: string;

  @Column({ name: 'contract_start', type: 'date' })
  contractStart!: string;

  @Column({ name: 'contract_end', type: 'date' })
  contractEnd!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
