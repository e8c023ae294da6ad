import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { conflict, DomainError, ErrorCode, notFound } from '../../common/errors.js';
import { rootLogger } from '../../common/logger.js';
import { AppConfig } from '../../config/config.js';
import { AuditService } from '../audit/audit.service.js';
import { RebillRun } from './entities/rebill.entity.js';
import { Dec, sum } from './money.js';
import { parsePeriod, shiftPeriod, type Period } from './period.js';
import { meterHosted, priceLines, rackUnitsOf, UnpricedUsageError, type PricedLine } from './metering.js';
import { RateCardsService } from './rate-cards.service.js';
import {
  HOSTED_EQUIPMENT,
  HOSTING_POOL,
  LINE_ID,
  METERING_SETTINGS,
  pricedLines,
  UNPRICED_POOLS,
  UNPRICED_USAGE,
} from './rebill-sql.js';

/** Finalised months a draft re-checks for late events and back-dated cards (adjustments). */
export const ADJUSTMENT_LOOKBACK_MONTHS = 12;

const LINE_COLUMNS = `id, line_set_id, key, kind, month, department_id, resource_id, pool_id, dimension, tier, rate_card_id,
  unit, usage_ms, quantity, unit_price, amount, adjusts_run_id, adjusts_line_id, adjusts_key`;

/** Serialises the computes of one period; the sweep tries the same lock. */
const lockPeriod = (manager: EntityManager, period: string) =>
  manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rebill:${period}`]);

/**
 * How long a line set a recompute replaced stays readable: a request reads its run's set once and then
 * pages it (an export of a million lines takes about a minute), so it must not vanish meanwhile.
 */
const SUPERSEDED_SETS_KEPT_MS = 15 * 60_000;

/**
 * Waits for every task, then fails with the first failure: a part still writing when another fails
 * must finish (or roll back) before the sweep deletes what was written.
 */
async function settled<T>(tasks: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/**
 * `parts` + 1 bounds splitting resource ids into ranges of equal width, null for open ends. Resource
 * ids are random (version 4), so equal widths hold about equal numbers of resources.
 */
function resourceIdBounds(parts: number): Array<string | null> {
  const inner = Array.from({ length: parts - 1 }, (_, i) => {
    const prefix = Math.floor(((i + 1) * 2 ** 32) / parts)
      .toString(16)
      .padStart(8, '0');
    return `${prefix}-0000-0000-0000-000000000000`;
  });
  return [null, ...inner, null];
}

/** What statements wrote into a line set, summed from their RETURNING rows: the set is never read back. */
type Written = { total: Dec; count: number; cards: string[] };

/** Lines written, and the usage no card priced. */
type Outcome = { written: Written[]; unpriced: Unpriced[] };

/** Runs an INSERT INTO rebill_lines … and answers what it wrote. */
async function writeLines(
  query: (
    sql: string,
    params: unknown[],
  ) => Promise<Array<{ total: string; count: number; cards: string[] }>>,
  insert: string,
  params: unknown[],
): Promise<Written> {
  const [row] = await query(
    `WITH written AS (${insert} RETURNING amount, rate_card_id)
     SELECT COALESCE(SUM(amount), 0)::text AS total, COUNT(*)::int AS count,
            COALESCE(array_agg(DISTINCT rate_card_id)::text[], '{}') AS cards
     FROM written`,
    params,
  );
  return { total: new Dec(row.total), count: row.count, cards: row.cards };
}

/** Usage no card prices; poolId null when hosted equipment has no self-managed pool to be priced by. */
type Unpriced = { poolId: string | null; from: string };

const unprocessable = (field: string, message: string) =>
  new DomainError(ErrorCode.Unprocessable, `${field}: ${message}`, { field });

/** Priced hosted-equipment lines as a row source, from the arrays of hostedLineParams at $first…$first+10. */
export const hostedLinesSql = (first: number) => {
  const at = (i: number) => `$${first + i}`;
  return `SELECT l.key, l.month, l.department_id, l.resource_id, l.pool_id, 'rackUnit'::text AS dimension,
                 NULL::text AS tier, l.rate_card_id, l.unit, l.usage_ms, l.quantity, l.unit_price, l.amount
          FROM unnest(${at(0)}::text[], ${at(1)}::text[], ${at(2)}::uuid[], ${at(3)}::uuid[], ${at(4)}::uuid[],
                      ${at(5)}::uuid[], ${at(6)}::text[], ${at(7)}::numeric[], ${at(8)}::numeric[], ${at(9)}::numeric[],
                      ${at(10)}::numeric[])
            AS l(key, month, department_id, resource_id, pool_id, rate_card_id, unit, usage_ms, quantity, unit_price, amount)`;
};

export const hostedLineParams = (lines: PricedLine[]) => {
  const column = <T>(pick: (l: PricedLine) => T) => lines.map(pick);
  return [
    column((l) => l.key),
    column((l) => l.month),
    column((l) => l.departmentId),
    column((l) => l.resourceId),
    column((l) => l.poolId),
    column((l) => l.rateCardId),
    column((l) => l.unit),
    column((l) => l.usageMs.toFixed()),
    column((l) => l.quantity.toFixed(6)),
    column((l) => l.unitPrice.toFixed()),
    column((l) => l.amount.toFixed(2)),
  ];
};

/** Computes and finalises rebill runs. Everything heavy happens in PostgreSQL (rebill-sql.ts). */
@Injectable()
export class RebillsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cards: RateCardsService,
    private readonly config: AppConfig,
  ) {}

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
        // Before the snapshot the parts read: a card added meanwhile is then at worst reported missing
        // (and the draft recomputed), never missing unreported.
        const unpriced = await this.unpricedUsage(manager, p, until);
        // Committed at once, outside this transaction: a crash from here on leaves a set the sweep finds.
        const lineSetId = randomUUID();
        await this.dataSource.query('INSERT INTO rebill_line_sets (id, period) VALUES ($1, $2)', [
          lineSetId,
          period,
        ]);
        const [{ snapshot }] = await manager.query('SELECT pg_export_snapshot() AS snapshot');
        // The usage on other connections; meanwhile, on this one, the few lines of hosted equipment and
        // corrections of finalised months.
        const outcomes = await settled([
          this.insertUsage(snapshot, lineSetId, p, until),
          (async (): Promise<Outcome> => {
            const hosted = await this.insertHosted(manager, lineSetId, p, until);
            const adjustments = await this.insertAdjustments(manager, lineSetId, period);
            return {
              written: [...hosted.written, ...adjustments.written],
              unpriced: [...hosted.unpriced, ...adjustments.unpriced],
            };
          })(),
        ]);
        const written = outcomes.flatMap((o) => o.written);
        const cards = [...new Set(written.flatMap((w) => w.cards))];
        const changes = {
          lineSetId,
          total: sum(written.map((w) => w.total)),
          lineCount: written.reduce((n, w) => n + w.count, 0),
          computedUntil: until,
          computedAt: now,
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
      const repo = manager.getRepository(RebillRun);
      const run = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!run) throw notFound('rebill', id);
      if (run.state === 'finalized') throw conflict(`rebill ${run.period} is already finalized`);
      const { end } = parsePeriod(run.period);
      if (run.computedUntil.getTime() < end.getTime())
        throw conflict(
          `rebill ${run.period} was computed only up to ${run.computedUntil.toISOString()}; recompute it after the month has ended`,
        );
      // Its corrections were measured against the finalised runs of the moment it was computed: a month
      // finalised since may already carry them, and finalising both would correct twice.
      const [since] = await manager.query(
        `SELECT period FROM rebill_runs WHERE state = 'finalized' AND period < $1 AND finalized_at > $2
         ORDER BY period LIMIT 1`,
        [run.period, run.computedAt],
      );
      if (since)
        throw conflict(
          `rebill ${since.period} was finalized after ${run.period} was computed; recompute ${run.period} first`,
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

  /** Pools some of the window's usage has no card for: the draft lists them and cannot be finalised. */
  private async unpricedUsage(manager: EntityManager, p: Period, until: Date): Promise<Unpriced[]> {
    const pools = (await manager.query(UNPRICED_POOLS, [p.from])).map((r: { id: string }) => r.id);
    const unpriced: Array<{ pool_id: string; at: Date }> =
      pools.length > 0 ? await manager.query(UNPRICED_USAGE, [p.from, until, pools]) : [];
    return unpriced.map((u) => ({ poolId: u.pool_id, from: new Date(u.at).toISOString() }));
  }

  /** The usage lines, metered in parts (ranges of resource ids) on as many connections at once. */
  private async insertUsage(snapshot: string, lineSetId: string, p: Period, until: Date): Promise<Outcome> {
    const bounds = resourceIdBounds(this.config.REBILL_PARALLELISM);
    const written = await settled(
      bounds.slice(1).map((to, i) => this.insertUsagePart(snapshot, lineSetId, p, until, bounds[i], to)),
    );
    return { written, unpriced: [] };
  }

  /** One part of the usage lines, in a transaction of its own that sees the compute's snapshot. */
  private async insertUsagePart(
    snapshot: string,
    lineSetId: string,
    p: Period,
    until: Date,
    from: string | null,
    to: string | null,
  ): Promise<Written> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      // Not a placeholder in SET: the identifier comes from pg_export_snapshot, checked to be one.
      if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error(`unexpected snapshot identifier ${snapshot}`);
      await runner.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
      for (const setting of METERING_SETTINGS) await runner.query(setting);
      const written = await this.guardTiers(() =>
        writeLines(
          (sql, params) => runner.query(sql, params),
          `INSERT INTO rebill_lines (${LINE_COLUMNS})
           SELECT ${LINE_ID}, $5, l.key, 'usage', l.month, l.department_id, l.resource_id, l.pool_id, l.dimension, l.tier,
                  l.rate_card_id, l.unit, l.usage_ms, l.quantity, l.unit_price, l.amount, NULL, NULL, NULL
           FROM (${pricedLines(undefined, { from: '$6', to: '$7' })}) l`,
          [p.from, until, p.monthMs, p.period, lineSetId, from, to],
        ),
      );
      await runner.query('COMMIT');
      return written;
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Rack units of hosted equipment, metered by the TypeScript model (a few hundred hosts, not millions). */
  private async insertHosted(
    manager: EntityManager,
    lineSetId: string,
    p: Period,
    until: Date,
  ): Promise<Outcome> {
    const { lines, unpriced } = await this.hostedLines(manager, p, until);
    if (lines.length === 0) return { written: [], unpriced };
    const written = await writeLines(
      (sql, params) => manager.query(sql, params),
      `INSERT INTO rebill_lines (${LINE_COLUMNS})
       SELECT ${LINE_ID}, $1, l.key, 'usage', l.month, l.department_id, l.resource_id, l.pool_id, l.dimension, l.tier,
              l.rate_card_id, l.unit, l.usage_ms, l.quantity, l.unit_price, l.amount, NULL, NULL, NULL
       FROM (${hostedLinesSql(2)}) l`,
      [lineSetId, ...hostedLineParams(lines)],
    );
    return { written: [written], unpriced };
  }

  /** The priced rack-unit lines of hosted equipment in a window, or the usage no card prices. */
  async hostedLines(
    manager: EntityManager,
    p: Period,
    until: Date,
  ): Promise<{ lines: PricedLine[]; unpriced: Unpriced[] }> {
    const hosts: Array<{
      id: string;
      departmentId: string;
      rackUnit: string | null;
      from: Date;
      to: Date | null;
    }> = await manager.query(HOSTED_EQUIPMENT, [until]);
    if (hosts.length === 0) return { lines: [], unpriced: [] };
    const [pool] = await manager.query(HOSTING_POOL);
    if (!pool) return { lines: [], unpriced: [{ poolId: null, from: p.from.toISOString() }] };
    const cards = await this.cards.terms(manager);
    const window = { from: p.from, to: until };
    try {
      const intervals = hosts.flatMap((h) =>
        meterHosted({ ...h, poolId: pool.id, rackUnits: rackUnitsOf(h.rackUnit) }, cards, window),
      );
      return { lines: priceLines(intervals, cards), unpriced: [] };
    } catch (error) {
      if (error instanceof UnpricedUsageError)
        return { lines: [], unpriced: [{ poolId: error.poolId, from: error.at.toISOString() }] };
      throw error;
    }
  }

  /**
   * Corrections of finalised months: each is recomputed from today's events and cards and compared,
   * key by key, with what finalised runs billed for it (its own lines plus earlier adjustments). The
   * difference becomes an adjustment line in this draft that references the original run and line.
   * Hosted equipment is recomputed too (by the TypeScript model, as in insertHosted): the finalised
   * runs hold its rack-unit lines, so leaving it out would reverse them.
   */
  private async insertAdjustments(
    manager: EntityManager,
    lineSetId: string,
    period: string,
  ): Promise<Outcome> {
    const outcome: Outcome = { written: [], unpriced: [] };
    const finalized: Array<{ id: string; line_set_id: string; period: string }> = await manager.query(
      `SELECT id, line_set_id, period FROM rebill_runs WHERE state = 'finalized' AND period < $1 AND period >= $2 ORDER BY period`,
      [period, shiftPeriod(period, -ADJUSTMENT_LOOKBACK_MONTHS)],
    );
    for (const original of finalized) {
      const q = parsePeriod(original.period);
      const hosted = await this.hostedLines(manager, q, q.end);
      outcome.unpriced.push(...hosted.unpriced);
      const written = await this.guardTiers(() =>
        writeLines(
          (sql, params) => manager.query(sql, params),
          `INSERT INTO rebill_lines (${LINE_COLUMNS})
           SELECT ${LINE_ID}, $5, 'adj|' || $7::text || '|' || x.key, 'adjustment', $4::text,
                  COALESCE(e.department_id, b.department_id), COALESCE(e.resource_id, b.resource_id),
                  COALESCE(e.pool_id, b.pool_id), COALESCE(e.dimension, b.dimension), COALESCE(e.tier, b.tier),
                  COALESCE(e.rate_card_id, b.rate_card_id), COALESCE(e.unit, b.unit),
                  COALESCE(e.usage_ms, 0) - COALESCE(b.usage_ms, 0), COALESCE(e.quantity, 0) - COALESCE(b.quantity, 0),
                  COALESCE(e.unit_price, b.unit_price), COALESCE(e.amount, 0) - COALESCE(b.amount, 0),
                  $6::uuid, o.id, x.key
           FROM ((${pricedLines()}) UNION ALL (${hostedLinesSql(9)})) e
           FULL JOIN (
             SELECT COALESCE(l.adjusts_key, l.key) AS key, SUM(l.usage_ms) AS usage_ms, SUM(l.quantity) AS quantity,
                    SUM(l.amount) AS amount, (array_agg(l.department_id))[1] AS department_id,
                    (array_agg(l.resource_id))[1] AS resource_id, (array_agg(l.pool_id))[1] AS pool_id,
                    (array_agg(l.dimension))[1] AS dimension, (array_agg(l.tier))[1] AS tier,
                    (array_agg(l.rate_card_id))[1] AS rate_card_id, (array_agg(l.unit))[1] AS unit,
                    (array_agg(l.unit_price))[1] AS unit_price
             FROM rebill_lines l JOIN rebill_runs r ON r.line_set_id = l.line_set_id AND r.state = 'finalized'
             WHERE l.month = $4::text
             GROUP BY COALESCE(l.adjusts_key, l.key)
           ) b ON b.key = e.key
           CROSS JOIN LATERAL (SELECT COALESCE(e.key, b.key) AS key) x
           LEFT JOIN rebill_lines o ON o.line_set_id = $8::uuid AND o.department_id = COALESCE(e.department_id, b.department_id)
                                     AND o.key = x.key
           WHERE COALESCE(e.amount, 0) <> COALESCE(b.amount, 0) OR COALESCE(e.usage_ms, 0) <> COALESCE(b.usage_ms, 0)`,
          [
            q.from,
            q.end,
            q.monthMs,
            q.period,
            lineSetId,
            original.id,
            period,
            original.line_set_id,
            ...hostedLineParams(hosted.lines),
          ],
        ),
      );
      outcome.written.push(written);
    }
    return outcome;
  }

  /** A storage tier no card prices shows up as a NULL price: answer 422 naming it instead of a 500. */
  private async guardTiers<T>(insert: () => Promise<T>): Promise<T> {
    try {
      return await insert();
    } catch (error) {
      const pg =
        error instanceof QueryFailedError ? (error.driverError as { code?: string; column?: string }) : {};
      if (pg.code === '23502' && (pg.column === 'unit_price' || pg.column === 'amount'))
        throw unprocessable(
          'rateCards',
          "a resource's storage tier has no price on the rate card in force; add the tier to the card",
        );
      throw error;
    }
  }
}
