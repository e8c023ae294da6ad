import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { conflict, notFound } from '../../common/errors.js';
import { rootLogger } from '../../common/logger.js';
import { AppConfig } from '../../config/config.js';
import { AuditService } from '../audit/audit.service.js';
import { RebillRun } from './entities/rebill.entity.js';
import { sum } from './money.js';
import { parsePeriod } from './period.js';
import { RateCardsService } from './rate-cards.service.js';
import { LineSetWriter, unprocessable, unpricedUsage } from './rebill-lines.js';
import { METERING_SETTINGS, RATE_CARDS_CHANGED, RATE_CARDS_LOCK, RATE_CARDS_SEEN } from './rebill-sql.js';

/** Serialises the computes of one period; the sweep tries the same lock. */
const lockPeriod = (manager: EntityManager, period: string) =>
  manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rebill:${period}`]);

/**
 * Serialises finalisations, of all periods: two drafts finalised at once would each pass the check
 * for runs finalised since, and both carry the same corrections.
 */
const lockFinalizing = (manager: EntityManager) =>
  manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rebill-finalize']);

/**
 * How long a line set a recompute replaced stays readable: a request reads its run's set once and then
 * pages it (an export of a million lines takes about a minute), so it must not vanish meanwhile.
 */
const SUPERSEDED_SETS_KEPT_MS = 15 * 60_000;

/** Computes and finalises rebill runs. Everything heavy happens in PostgreSQL (rebill-sql.ts). */
@Injectable()
export class RebillsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cards: RateCardsService,
    config: AppConfig,
  ) {
    this.lines = new LineSetWriter(dataSource, cards, config.REBILL_PARALLELISM);
  }

  private readonly lines: LineSetWriter;
  private readonly log = rootLogger().child({ component: 'rebills' });

  /**
   * Computes the period's draft, or recomputes it in place (same id, lines replaced). The lines are
   * written as a new line set, metered on REBILL_PARALLELISM connections at once (each a range of
   * resources, all from one snapshot), and the run is pointed at the set in one update: a reader sees
   * the previous draft until then, and a compute that fails leaves it as it was. A process computes one
   * draft at a time: the parts already use the cores, and each holds a connection of the pool.
   */
  compute(period: string, now = new Date()): Promise<RebillRun> {
    const run = this.computing.then(() => this.computeNow(period, now));
    this.computing = run.catch(() => undefined);
    return run;
  }

  private computing: Promise<unknown> = Promise.resolve();

  private async computeNow(period: string, now: Date): Promise<RebillRun> {
    const p = parsePeriod(period);
    if (p.from.getTime() >= now.getTime()) throw unprocessable('period', `${period} has not begun`);
    // A draft of the current month meters up to now, never to the month's end.
    const until = new Date(Math.min(p.end.getTime(), now.getTime()));
    try {
      return await this.dataSource.transaction(async (manager) => {
        await lockPeriod(manager, period);
        // This transaction waits, idle, while other connections meter the lines: longer than the default
        // minute, still bounded should its client vanish with the period's lock.
        await manager.query(`SET LOCAL idle_in_transaction_session_timeout = '30min'`);
        for (const setting of METERING_SETTINGS) await manager.query(setting);
        const repo = manager.getRepository(RebillRun);
        const previous = await repo.findOne({ where: { period }, lock: { mode: 'pessimistic_write' } });
        if (previous?.state === 'finalized')
          throw conflict(`rebill ${period} is finalized; corrections go into a later period as adjustments`);
        const before = previous
          ? { total: previous.total, lineCount: previous.lineCount, computedUntil: previous.computedUntil }
          : null;
        const replaced = previous?.lineSetId;
        // Read before anything is metered: a run finalised after this read is then missing from the
        // list, and finalising this draft refuses, whether or not its corrections saw that run.
        const [{ seen }] = await manager.query(
          `SELECT COALESCE(array_agg(id), '{}')::text[] AS seen FROM rebill_runs WHERE state = 'finalized'`,
        );
        // Likewise the cards: one edited after this read makes finalising refuse, priced old or new.
        const [{ seen: cardsSeen }] = await manager.query(RATE_CARDS_SEEN, [p.end]);
        // Before the snapshot the parts read: a card added meanwhile is then at worst reported missing
        // (and the draft recomputed), never missing unreported.
        const unpriced = await unpricedUsage(manager, p, until);
        // Committed at once, outside this transaction: a crash from here on leaves a set the sweep finds.
        const lineSetId = randomUUID();
        await this.dataSource.query('INSERT INTO rebill_line_sets (id, period) VALUES ($1, $2)', [
          lineSetId,
          period,
        ]);
        const [{ snapshot }] = await manager.query('SELECT pg_export_snapshot() AS snapshot');
        // The usage on other connections; meanwhile, on this one, the few lines of hosted equipment and
        // corrections of finalised months.
        const outcomes = await this.lines.write(manager, snapshot, lineSetId, p, until);
        const written = outcomes.flatMap((o) => o.written);
        const cards = [...new Set(written.flatMap((w) => w.cards))];
        const changes = {
          lineSetId,
          total: sum(written.map((w) => w.total)),
          lineCount: written.reduce((n, w) => n + w.count, 0),
          computedUntil: until,
          computedAt: now,
          finalizedRunsSeen: seen,
          rateCardsSeen: cardsSeen,
          unpriced: [...unpriced, ...outcomes.flatMap((o) => o.unpriced)],
        };
        const run = previous
          ? Object.assign(previous, changes)
          : repo.create({ period, state: 'draft', finalizedAt: null, finalizedBy: null, ...changes });
        if (previous) await repo.update({ id: run.id }, changes);
        else await repo.insert(run);
        if (replaced)
          await manager.query('UPDATE rebill_line_sets SET superseded_at = now() WHERE id = $1', [replaced]);
        await manager.query('DELETE FROM rebill_run_cards WHERE run_id = $1', [run.id]);
        await manager.query(
          'INSERT INTO rebill_run_cards (rate_card_id, run_id) SELECT unnest($2::uuid[]), $1',
          [run.id, cards],
        );
        await this.audit.record(manager, {
          action: 'rebill.compute',
          targetType: 'rebill',
          targetId: run.id,
          before,
          after: {
            period,
            total: run.total.toFixed(2),
            lineCount: run.lineCount,
            computedUntil: until,
            unpriced: run.unpriced,
          },
        });
        return run;
      });
    } finally {
      await this.sweep();
    }
  }

  /**
   * Deletes line sets no run shows, of every period: those a recompute replaced more than
   * SUPERSEDED_SETS_KEPT_MS ago, and those a failed or crashed compute left, of periods no compute holds
   * (their locks are taken first, so the deleting statement sees any compute that got there before).
   * A failure is only logged: the draft is published, and the next compute sweeps again.
   */
  private async sweep(): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        const unshown = `s.superseded_at IS NULL AND NOT EXISTS (SELECT 1 FROM rebill_runs r WHERE r.line_set_id = s.id)`;
        const periods: Array<{ period: string }> = await manager.query(
          `SELECT DISTINCT s.period FROM rebill_line_sets s WHERE ${unshown}`,
        );
        const idle: string[] = [];
        for (const { period } of periods) {
          const [{ locked }] = await manager.query(
            'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
            [`rebill:${period}`],
          );
          if (locked) idle.push(period);
        }
        await manager.query(
          `WITH gone AS (
             DELETE FROM rebill_line_sets s
             WHERE s.superseded_at < now() - $1 * interval '1 millisecond'
                OR (${unshown} AND s.period::text = ANY($2::text[]))
             RETURNING s.id)
           DELETE FROM rebill_lines WHERE line_set_id IN (SELECT id FROM gone)`,
          [SUPERSEDED_SETS_KEPT_MS, idle],
        );
      });
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not sweep unshown rebill line sets');
    }
  }

  /** Freezes a draft of a month that has ended; a second finalise answers 409. */
  async finalize(id: string, userId: string | null, now = new Date()): Promise<RebillRun> {
    return this.dataSource.transaction(async (manager) => {
      await lockFinalizing(manager);
      const repo = manager.getRepository(RebillRun);
      const run = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!run) throw notFound('rebill', id);
      if (run.state === 'finalized') throw conflict(`rebill ${run.period} is already finalized`);
      const { end } = parsePeriod(run.period);
      if (run.computedUntil.getTime() < end.getTime())
        throw conflict(
          `rebill ${run.period} was computed only up to ${run.computedUntil.toISOString()}; recompute it after the month has ended`,
        );
      // A run finalised since, of an earlier month or a later one, may already carry the corrections
      // this draft carries: finalising both would charge them twice.
      const [since] = await manager.query(
        `SELECT period FROM rebill_runs WHERE state = 'finalized' AND id <> ALL($1::uuid[]) ORDER BY period LIMIT 1`,
        [run.finalizedRunsSeen],
      );
      if (since)
        throw conflict(
          `rebill ${since.period} was finalized after ${run.period} was computed; recompute ${run.period} first`,
        );
      // A card edited since would be frozen below at prices none of the run's lines carries.
      await manager.query(RATE_CARDS_LOCK, [end, run.rateCardsSeen]);
      const [card] = await manager.query(RATE_CARDS_CHANGED, [end, run.rateCardsSeen]);
      if (card)
        throw conflict(
          `rate card ${card.name ?? card.id} changed after rebill ${run.period} was computed; recompute ${run.period} first`,
        );
      if (run.unpriced.length > 0) {
        // Named as the operator knows it: the pool's name, or hosted equipment (no pool).
        const [first] = run.unpriced;
        const [pool]: Array<{ name: string }> = first.poolId
          ? await manager.query(`SELECT name FROM pools WHERE id = $1`, [first.poolId])
          : [];
        const what = first.poolId ? `pool ${pool?.name ?? first.poolId}` : 'hosted equipment';
        throw conflict(
          `rebill ${run.period} has usage no rate card prices (${what} from ${first.from}); add a card and recompute`,
        );
      }
      run.state = 'finalized';
      run.finalizedAt = now;
      run.finalizedBy = userId;
      await repo.update({ id }, { state: 'finalized', finalizedAt: now, finalizedBy: userId });
      await this.audit.record(manager, {
        action: 'rebill.finalize',
        targetType: 'rebill',
        targetId: id,
        before: { state: 'draft' },
        after: {
          state: 'finalized',
          period: run.period,
          total: run.total.toFixed(2),
          lineCount: run.lineCount,
        },
      });
      return run;
    });
  }
}
