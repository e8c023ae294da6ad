import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Dec } from '../money.js';
import { decimalTransformer } from '../money.js';
import type { StorageBilling } from '../metering.js';

const price = (name: string) =>
  Column({ name, type: 'numeric', precision: 18, scale: 6, transformer: decimalTransformer });

/**
 * Tender prices of one pool from a date on (a new tender adds a card; old periods keep old prices).
 * A card a finalised rebill used is never changed again (RateCardsService refuses, 409).
 */
@Entity('rate_cards')
@Index('uq_rate_cards_pool_from', ['poolId', 'effectiveFrom'], { unique: true })
export class RateCard {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'pool_id', type: 'uuid' })
  poolId!: string;

  @ManyToOne('Pool', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pool_id', foreignKeyConstraintName: 'fk_rate_cards_pool' })
  pool?: object;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The tender or contract the prices come from (招标编号). */
  @Column({ name: 'tender_ref', type: 'varchar', length: 200, nullable: true })
  tenderRef!: string | null;

  /** From midnight UTC of this date until the pool's next card. */
  @Column({ name: 'effective_from', type: 'date' })
  effectiveFrom!: string;

  @Column({ type: 'char', length: 3, default: 'CNY' })
  currency!: string;

  @price('vcpu_hour')
  vcpuHour!: Dec;

  @price('memory_gib_hour')
  memoryGiBHour!: Dec;

  @price('gpu_hour')
  gpuHour!: Dec;

  @price('public_ip_month')
  publicIpMonth!: Dec;

  @price('rack_unit_month')
  rackUnitMonth!: Dec;

  @Column({ name: 'storage_billing', type: 'varchar', length: 16, default: 'exists' })
  storageBilling!: StorageBilling;

  @OneToMany('RateCardStoragePrice', 'rateCard', { cascade: true, eager: true })
  storage!: RateCardStoragePrice[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** storageGiBMonth per tier ('standard', 'ssd', …), one row each so the price stays NUMERIC. */
@Entity('rate_card_storage_prices')
export class RateCardStoragePrice {
  @PrimaryColumn({ name: 'rate_card_id', type: 'uuid' })
  rateCardId!: string;

  @ManyToOne('RateCard', 'storage', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'rate_card_id', foreignKeyConstraintName: 'fk_rate_card_storage_card' })
  rateCard?: RateCard;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  tier!: string;

  @price('gib_month')
  gibMonth!: Dec;
}
