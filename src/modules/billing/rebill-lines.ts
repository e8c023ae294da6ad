import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { Dec } from './money.js';
import { parsePeriod, shiftPeriod, type Period } from './period.js';
import { meterHosted, priceLines, rackUnitsOf, UnpricedUsageError, type PricedLine } from './metering.js';
import type { RateCardsService } from './rate-cards.service.js';
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
export type Outcome = { written: Written[]; unpriced: Unpriced[] };

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
export type Unpriced = { poolId: string | null; from: string };

export const unprocessable = (field: string, message: string) =>
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

/** Pools some of the window's usage has no card for: the draft lists them and cannot be finalised. */
export async function unpricedUsage(manager: EntityManager, p: Period, until: Date): Promise<Unpriced[]> {
  const pools = (await manager.query(UNPRICED_POOLS, [p.from])).map((r: { id: string }) => r.id);
  const unpriced: Array<{ pool_id: string; at: Date }> =
    pools.length > 0 ? await manager.query(UNPRICED_USAGE, [p.from, until, pools]) : [];
  return unpriced.map((u) => ({ poolId: u.pool_id, from: new Date(u.at).toISOString() }));
}

/** The priced rack-unit lines of hosted equipment in a window, or the usage no card prices. */
export async function hostedLines(
  manager: EntityManager,
  cards: RateCardsService,
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
  const terms = await cards.terms(manager);
  const window = { from: p.from, to: until };
  try {
    const intervals = hosts.flatMap((h) =>
      meterHosted({ ...h, poolId: pool.id, rackUnits: rackUnitsOf(h.rackUnit) }, terms, window),
    );
    return { lines: priceLines(intervals, terms), unpriced: [] };
  } catch (error) {
    if (error instanceof UnpricedUsageError)
      return { lines: [], unpriced: [{ poolId: error.poolId, from: error.at.toISOString() }] };
    throw error;
  }
}

/**
 * Writes a draft's lines into a line set: the usage in parts (ranges of resource ids) on `parallelism`
 * connections at once, all from the compute's exported snapshot, and meanwhile, on the compute's own
 * connection, the few lines of hosted equipment and the corrections of finalised months.
 */
export class LineSetWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cards: RateCardsService,
    private readonly parallelism: number,
  ) {}

  /** The lines of the period up to `until`; `manager` is the compute's transaction, `snapshot` its export. */
  write(
    manager: EntityManager,
    snapshot: string,
    lineSetId: string,
    p: Period,
    until: Date,
  ): Promise<Outcome[]> {
    return settled([
      this.insertUsage(snapshot, lineSetId, p, until),
      (async (): Promise<Outcome> => {
        const hosted = await this.insertHosted(manager, lineSetId, p, until);
        const adjustments = await this.insertAdjustments(manager, lineSetId, p.period);
        return {
          written: [...hosted.written, ...adjustments.written],
          unpriced: [...hosted.unpriced, ...adjustments.unpriced],
        };
      })(),
    ]);
  }

  /** The usage lines, metered in parts (ranges of resource ids) on as many connections at once. */
  private async insertUsage(snapshot: string, lineSetId: string, p: Period, until: Date): Promise<Outcome> {
    const bounds = resourceIdBounds(this.parallelism);
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
    const { lines, unpriced } = await hostedLines(manager, this.cards, p, until);
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
      const hosted = await hostedLines(manager, this.cards, q, q.end);
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
