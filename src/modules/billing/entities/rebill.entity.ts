import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import type { Dec } from '../money.js';
import { decimalTransformer } from '../money.js';

export const REBILL_STATES = ['draft', 'finalized'] as const;
export type RebillState = (typeof REBILL_STATES)[number];

/**
 * The lines of one computation of a period, written on several connections at once (rebill-lines.ts).
 * Sets no run points to are what a failed or superseded computation left: a later compute deletes them.
 */
@Entity('rebill_line_sets')
export class RebillLineSet {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_rebill_line_sets' })
  id!: string;

  @Index('ix_rebill_line_sets_period')
  @Column({ type: 'char', length: 7 })
  period!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When a recompute pointed its run at a newer set: kept a while for readers still paging this one. */
  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;
}

/** One run per month: recomputing a draft replaces its lines; a finalised run never changes. */
@Entity('rebill_runs')
@Unique('uq_rebill_runs_line_set', ['lineSetId'])
export class RebillRun {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** 'YYYY-MM' */
  @Index('uq_rebill_runs_period', { unique: true })
  @Column({ type: 'char', length: 7 })
  period!: string;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  state!: RebillState;

  /** Usage is metered up to here: the period's end, or the moment a current-month draft was computed. */
  @Column({ name: 'computed_until', type: 'timestamptz' })
  computedUntil!: Date;

  @Column({ name: 'computed_at', type: 'timestamptz' })
  computedAt!: Date;

  /** The sum of the run's rounded lines, adjustments included. */
  @Column({ type: 'numeric', precision: 18, scale: 2, transformer: decimalTransformer })
  total!: Dec;

  @Column({ name: 'line_count', type: 'integer' })
  lineCount!: number;

  /**
   * Usage no card prices (a pool without a card in force): listed so finance sees what is missing, and
   * the run cannot be finalised until a card is added and the draft recomputed.
   */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  unpriced!: Array<{ poolId: string | null; from: string }>;

  /**
   * The finalised runs, of every period, when the draft was computed: its corrections were measured
   * against these, and a run finalised since may carry the same ones (RebillsService.finalize refuses).
   */
  @Column({ name: 'finalized_runs_seen', type: 'uuid', array: true, default: () => `'{}'` })
  finalizedRunsSeen!: string[];

  /**
   * A fingerprint of the terms of each card that could price the period or a month before it (rate card
   * id → md5), when the draft was computed: finalising refuses once one of them changed, came or went.
   */
  @Column({ name: 'rate_cards_seen', type: 'jsonb', default: () => `'{}'` })
  rateCardsSeen!: Record<string, string>;

  /** The lines the run shows: a recompute writes a new set and then points the run at it. */
  @Column({ name: 'line_set_id', type: 'uuid' })
  lineSetId!: string;

  @ManyToOne('RebillLineSet')
  @JoinColumn({ name: 'line_set_id', foreignKeyConstraintName: 'fk_rebill_runs_line_set' })
  lineSet?: RebillLineSet;

  @Column({ name: 'finalized_at', type: 'timestamptz', nullable: true })
  finalizedAt!: Date | null;

  @Column({ name: 'finalized_by', type: 'uuid', nullable: true })
  finalizedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export type RebillLineKind = 'usage' | 'adjustment';

/**
 * A department × resource × dimension × rate period line. `key` is deterministic (metering.ts lineKey),
 * so a recompute writes the same keys. Adjustment lines correct a finalised period: they carry the
 * original period in `month` and reference the original run (and line, when there was one).
 *
 * No foreign keys: a city's month is a million rows written by one INSERT … SELECT, and per-row key
 * checks would cost more than the metering. Only RebillsService writes lines, into a line set no run
 * shows yet; RateCardsService refuses to delete a card any line refers to (rebill_run_cards).
 *
 * One index besides the primary key: (line set, department, key) serves department views, ordered pages and
 * the uniqueness of keys (a key names its department), and is written in order by a draft.
 */
@Entity('rebill_lines')
@Index('uq_rebill_lines_key', ['lineSetId', 'departmentId', 'key'], { unique: true })
export class RebillLine {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'line_set_id', type: 'uuid' })
  lineSetId!: string;

  /** Compared byte by byte (collation C): see migration RebillLineKeysBytewise. */
  @Column({ type: 'text', collation: 'C' })
  key!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: RebillLineKind;

  /** The month the usage happened in ('YYYY-MM'). */
  @Column({ type: 'char', length: 7 })
  month!: string;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  /** A resource's id, or a hosted host's id for rack units. */
  @Column({ name: 'resource_id', type: 'uuid' })
  resourceId!: string;

  @Column({ name: 'pool_id', type: 'uuid' })
  poolId!: string;

  @Column({ type: 'varchar', length: 16 })
  dimension!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  tier!: string | null;

  @Column({ name: 'rate_card_id', type: 'uuid' })
  rateCardId!: string;

  @Column({ type: 'varchar', length: 16 })
  unit!: string;

  /** Quantity × milliseconds held, exact; the amount comes from this. */
  @Column({ name: 'usage_ms', type: 'numeric', transformer: decimalTransformer })
  usageMs!: Dec;

  @Column({ type: 'numeric', precision: 24, scale: 6, transformer: decimalTransformer })
  quantity!: Dec;

  @Column({ name: 'unit_price', type: 'numeric', precision: 18, scale: 6, transformer: decimalTransformer })
  unitPrice!: Dec;

  @Column({ type: 'numeric', precision: 18, scale: 2, transformer: decimalTransformer })
  amount!: Dec;

  @Column({ name: 'adjusts_run_id', type: 'uuid', nullable: true })
  adjustsRunId!: string | null;

  @Column({ name: 'adjusts_line_id', type: 'uuid', nullable: true })
  adjustsLineId!: string | null;

  /** The key of the usage this adjustment corrects; what finalised runs billed for it is summed by this. */
  @Column({ name: 'adjusts_key', type: 'text', collation: 'C', nullable: true })
  adjustsKey!: string | null;
}

/**
 * The rate cards a run's lines were priced by, written with the lines: a card a finalised run used is
 * frozen, and one any run used cannot be deleted. A few rows per run, so these checks never read lines.
 */
@Entity('rebill_run_cards')
export class RebillRunCard {
  @PrimaryColumn({ name: 'rate_card_id', type: 'uuid', primaryKeyConstraintName: 'pk_rebill_run_cards' })
  rateCardId!: string;

  @PrimaryColumn({ name: 'run_id', type: 'uuid', primaryKeyConstraintName: 'pk_rebill_run_cards' })
  runId!: string;

  @ManyToOne('RateCard')
  @JoinColumn({ name: 'rate_card_id', foreignKeyConstraintName: 'fk_rebill_run_cards_card' })
  rateCard?: unknown;

  @ManyToOne('RebillRun', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_rebill_run_cards_run' })
  run?: RebillRun;
}
