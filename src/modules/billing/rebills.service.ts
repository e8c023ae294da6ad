import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { conflict, DomainError, ErrorCode, notFound } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import { RebillRun } from './entities/rebill.entity.js';
import { Dec } from './money.js';
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

const LINE_COLUMNS = `id, run_id, key, kind, month, department_id, resource_id, pool_id, dimension, tier, rate_card_id,
  unit, usage_ms, quantity, unit_price, amount, adjusts_run_id, adjusts_line_id, adjusts_key`;

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
  ) {}

  /** Computes the period's draft, or recomputes it in place (same id, lines replaced). */
  async compute(period: string, now = new Date()): Promise<RebillRun> {
    const p = parsePeriod(period);
    if (p.from.getTime() >= now.getTime()) throw unprocessable('period', `${period} has not begun`);
    // A draft of the current month meters up to now, never to the month's end.
    const until = new Date(Math.min(p.end.getTime(), now.getTime()));
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rebill:${period}`]);
      for (const setting of METERING_SETTINGS) await manager.query(setting);
      const repo = manager.getRepository(RebillRun);
      let run = await repo.findOne({ where: { period }, lock: { mode: 'pessimistic_write' } });
      if (run?.state === 'finalized')
        throw conflict(`rebill ${period} is finalized; corrections go into a later period as adjustments`);
      const before = run
        ? { total: run.total, lineCount: run.lineCount, computedUntil: run.computedUntil }
        : null;
      if (!run) {
        run = repo.create({
          period,
          state: 'draft',
          computedUntil: until,
          computedAt: now,
          total: new Dec(0),
          lineCount: 0,
          unpriced: [],
        });
        await repo.insert(run);
      }
      await manager.query('DELETE FROM rebill_lines WHERE run_id = $1', [run.id]);
      const unpriced = [
        ...(await this.insertUsage(manager, run.id, p, until)),
        ...(await this.insertHosted(manager, run.id, p, until)),
        ...(await this.insertAdjustments(manager, run.id, period)),
      ];
      // One pass over the new lines for the total, the count and the cards they used.
      const [totals] = await manager.query(
        `SELECT COALESCE(SUM(amount), 0)::text AS total, COUNT(*)::int AS count,
                COALESCE(array_agg(DISTINCT rate_card_id), '{}') AS cards
         FROM rebill_lines WHERE run_id = $1`,
        [run.id],
      );
      await manager.query('DELETE FROM rebill_run_cards WHERE run_id = $1', [run.id]);
      await manager.query(
        'INSERT INTO rebill_run_cards (rate_card_id, run_id) SELECT unnest($2::uuid[]), $1',
        [run.id, totals.cards],
      );
      const changes = {
        total: new Dec(totals.total),
        lineCount: totals.count as number,
        computedUntil: until,
        computedAt: now,
        unpriced,
      };
      Object.assign(run, changes);
      await repo.update({ id: run.id }, changes);
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
          unpriced,
        },
      });
      return run;
    });
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
      if (run.unpriced.length > 0)
        throw conflict(
          `rebill ${run.period} has usage no rate card prices (pool ${run.unpriced[0].poolId} from ${run.unpriced[0].from}); add a card and recompute`,
        );
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

  private async insertUsage(
    manager: EntityManager,
    runId: string,
    p: Period,
    until: Date,
  ): Promise<Unpriced[]> {
    const pools = (await manager.query(UNPRICED_POOLS, [p.from])).map((r: { id: string }) => r.id);
    const unpriced: Array<{ pool_id: string; at: Date }> =
      pools.length > 0 ? await manager.query(UNPRICED_USAGE, [p.from, until, pools]) : [];
    await this.guardTiers(() =>
      manager.query(
        `INSERT INTO rebill_lines (${LINE_COLUMNS})
         SELECT ${LINE_ID}, $5, l.key, 'usage', l.month, l.department_id, l.resource_id, l.pool_id, l.dimension, l.tier,
                l.rate_card_id, l.unit, l.usage_ms, l.quantity, l.unit_price, l.amount, NULL, NULL, NULL
         FROM (${pricedLines()}) l`,
        [p.from, until, p.monthMs, p.period, runId],
      ),
    );
    return unpriced.map((u) => ({ poolId: u.pool_id, from: new Date(u.at).toISOString() }));
  }

  /** Rack units of hosted equipment, metered by the TypeScript model (a few hundred hosts, not millions). */
  private async insertHosted(
    manager: EntityManager,
    runId: string,
    p: Period,
    until: Date,
  ): Promise<Unpriced[]> {
    const { lines, unpriced } = await this.hostedLines(manager, p, until);
    if (lines.length === 0) return unpriced;
    await manager.query(
      `INSERT INTO rebill_lines (${LINE_COLUMNS})
       SELECT ${LINE_ID}, $1, l.key, 'usage', l.month, l.department_id, l.resource_id, l.pool_id, l.dimension, l.tier,
              l.rate_card_id, l.unit, l.usage_ms, l.quantity, l.unit_price, l.amount, NULL, NULL, NULL
       FROM (${hostedLinesSql(2)}) l`,
      [runId, ...hostedLineParams(lines)],
    );
    return unpriced;
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
    runId: string,
    period: string,
  ): Promise<Unpriced[]> {
    const unpriced: Unpriced[] = [];
    const finalized: Array<{ id: string; period: string }> = await manager.query(
      `SELECT id, period FROM rebill_runs WHERE state = 'finalized' AND period < $1 AND period >= $2 ORDER BY period`,
      [period, shiftPeriod(period, -ADJUSTMENT_LOOKBACK_MONTHS)],
    );
    for (const original of finalized) {
      const q = parsePeriod(original.period);
      const hosted = await this.hostedLines(manager, q, q.end);
      unpriced.push(...hosted.unpriced);
      await this.guardTiers(() =>
        manager.query(
          `INSERT INTO rebill_lines (${LINE_COLUMNS})
           SELECT ${LINE_ID}, $5, 'adj|' || $7::text || '|' || x.key, 'adjustment', $4::text,
                  COALESCE(e.department_id, b.department_id), COALESCE(e.resource_id, b.resource_id),
                  COALESCE(e.pool_id, b.pool_id), COALESCE(e.dimension, b.dimension), COALESCE(e.tier, b.tier),
                  COALESCE(e.rate_card_id, b.rate_card_id), COALESCE(e.unit, b.unit),
                  COALESCE(e.usage_ms, 0) - COALESCE(b.usage_ms, 0), COALESCE(e.quantity, 0) - COALESCE(b.quantity, 0),
                  COALESCE(e.unit_price, b.unit_price), COALESCE(e.amount, 0) - COALESCE(b.amount, 0),
                  $6::uuid, o.id, x.key
           FROM ((${pricedLines()}) UNION ALL (${hostedLinesSql(8)})) e
           FULL JOIN (
             SELECT COALESCE(l.adjusts_key, l.key) AS key, SUM(l.usage_ms) AS usage_ms, SUM(l.quantity) AS quantity,
                    SUM(l.amount) AS amount, (array_agg(l.department_id))[1] AS department_id,
                    (array_agg(l.resource_id))[1] AS resource_id, (array_agg(l.pool_id))[1] AS pool_id,
                    (array_agg(l.dimension))[1] AS dimension, (array_agg(l.tier))[1] AS tier,
                    (array_agg(l.rate_card_id))[1] AS rate_card_id, (array_agg(l.unit))[1] AS unit,
                    (array_agg(l.unit_price))[1] AS unit_price
             FROM rebill_lines l JOIN rebill_runs r ON r.id = l.run_id AND r.state = 'finalized'
             WHERE l.month = $4::text
             GROUP BY COALESCE(l.adjusts_key, l.key)
           ) b ON b.key = e.key
           CROSS JOIN LATERAL (SELECT COALESCE(e.key, b.key) AS key) x
           LEFT JOIN rebill_lines o ON o.run_id = $6::uuid AND o.department_id = COALESCE(e.department_id, b.department_id)
                                     AND o.key = x.key
           WHERE COALESCE(e.amount, 0) <> COALESCE(b.amount, 0) OR COALESCE(e.usage_ms, 0) <> COALESCE(b.usage_ms, 0)`,
          [q.from, q.end, q.monthMs, q.period, runId, original.id, period, ...hostedLineParams(hosted.lines)],
        ),
      );
    }
    return unpriced;
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
