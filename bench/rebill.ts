// bench/rebill: seconds to compute a month's draft rebill for a generated city (2,000 departments,
// 100,000 resources, a month of events: about a million state intervals), then the same with 4× the
// resources, then again after adding three earlier months of events (a month's draft should not grow
// with history); peak memory; and in the same run a bare SQL SUM over the same intervals as the floor.
// Goal: under 10 s at 1×, under 5× the floor. Uses a database of its own, dropped at the end.
// Run: node --import ./scripts/register.mjs scripts/with-services.ts node --import ./scripts/register.mjs bench/rebill.ts
// BENCH_RESOURCES (default 100000) sets the 1× size; BENCH_DATABASE names a database to (re)create and keep.
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createDatabase } from '../test/support/database.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import type { AppConfig } from '../src/config/config.js';
import { AuditService } from '../src/modules/audit/audit.service.js';
import { RateCardsService } from '../src/modules/billing/rate-cards.service.js';
import { RebillsService } from '../src/modules/billing/rebills.service.js';
import { LINE_ID } from '../src/modules/billing/rebill-sql.js';
import { benchLine } from './support/bench.js';

const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 100_000);
const DEPARTMENTS = 2_000;
/** Connections a draft meters on (src/config/config.ts). */
const REBILL_PARALLELISM = Number(process.env.REBILL_PARALLELISM ?? 2);
const PERIOD = '2025-03';
const FROM = '2025-03-01T00:00:00Z';
const TO = '2025-04-01T00:00:00Z';
/** Events per resource inside the month (plus one before it): start/stop pairs and one resize. */
const EVENTS_IN_MONTH = 9;

/** Peak resident memory of this process, sampled every 20 ms (the work itself runs inside PostgreSQL). */
function memoryPeak() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return { stop: () => (clearInterval(timer), Math.max(peak, process.memoryUsage().rss)) };
}

async function seconds<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [Number(process.hrtime.bigint() - start) / 1e9, result];
}

async function generateCity(db: DataSource): Promise<void> {
  await db.query(`INSERT INTO departments (id, code, name, kind, parent_id, path)
                  VALUES ('00000000-0000-4000-8000-000000000000', 'city', '市', 'city', NULL, '/00000000-0000-4000-8000-000000000000/')`);
  // A quarter are departments under the city; the rest are units under them.
  const top = DEPARTMENTS / 4;
  await db.query(
    `INSERT INTO departments (id, code, name, kind, parent_id, path)
     SELECT id, 'd' || n, '部门' || n, 'department', '00000000-0000-4000-8000-000000000000',
            '/00000000-0000-4000-8000-000000000000/' || id || '/'
     FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $1) n) s`,
    [top],
  );
  await db.query(
    `INSERT INTO departments (id, code, name, kind, parent_id, path)
     SELECT u.id, 'u' || u.n, '单位' || u.n, 'unit', p.id, p.path || u.id || '/'
     FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $1) n) u
     JOIN (SELECT id, path, row_number() OVER (ORDER BY code) - 1 AS k FROM departments WHERE kind = 'department') p
       ON p.k = u.n % $2`,
    [DEPARTMENTS - top - 1, top],
  );
  for (const [id, tier] of [
    ['10000000-0000-4000-8000-000000000001', 'provider'],
    ['10000000-0000-4000-8000-000000000002', 'self-managed'],
  ])
    await db.query(
      `INSERT INTO pools (id, name, type, tier, connection_sealed, capacity, allocated) VALUES ($1::uuid, $1::text, 'fake', $2, 'x', '{}', '{}')`,
      [id, tier],
    );
  // Pool 1 changes price mid-month (a new tender), so half the intervals are split at a card change.
  const cards: Array<[string, string, string]> = [
    ['10000000-0000-4000-8000-000000000001', '2000-01-01', '0.0500'],
    ['10000000-0000-4000-8000-000000000001', '2025-03-16', '0.0450'],
    ['10000000-0000-4000-8000-000000000002', '2000-01-01', '0.0620'],
  ];
  for (const [pool, from, vcpu] of cards) {
    const [{ id }] = await db.query(
      `INSERT INTO rate_cards (pool_id, name, effective_from, vcpu_hour, memory_gib_hour, gpu_hour, public_ip_month, rack_unit_month)
       VALUES ($1, '招标价格', $2, $3, '0.0125', '6.5', '25', '300') RETURNING id`,
      [pool, from, vcpu],
    );
    await db.query(
      `INSERT INTO rate_card_storage_prices (rate_card_id, tier, gib_month) VALUES ($1, 'standard', '0.35')`,
      [id],
    );
  }
}

/**
 * Vacuums and analyses what was generated, and checkpoints it, as a city's tables are in steady state:
 * otherwise autovacuum wakes up for the millions of new rows, and the checkpointer and backends write out
 * the gigabyte of pages the generator dirtied, on the same two cores and disk during a measure.
 */
async function settle(db: DataSource): Promise<void> {
  await db.query('VACUUM (ANALYZE) resources, resource_events');
  await db.query('CHECKPOINT');
}

/** Adds `count` resources, each running since before the month, with EVENTS_IN_MONTH events in it. */
async function addResources(db: DataSource, count: number, offset: number): Promise<void> {
  const batch = 50_000;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    await db.query(
      `WITH d AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM departments WHERE kind <> 'city'),
       r AS (
         SELECT gen_random_uuid() AS id, i, d.id AS department_id,
                CASE WHEN i % 2 = 0 THEN '10000000-0000-4000-8000-000000000001'::uuid
                     ELSE '10000000-0000-4000-8000-000000000002'::uuid END AS pool_id,
                jsonb_build_object('vcpu', 1 + i % 16, 'memoryGiB', 2 * (1 + i % 8), 'storageGiB', 50 + i % 500,
                                   'gpu', CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END, 'image', 'img') AS spec
         FROM generate_series($1::int, $2::int) i JOIN d ON d.k = i % $3
       ), ins AS (
         INSERT INTO resources (id, department_id, pool_id, kind, name, spec, state, desired_state)
         SELECT id, department_id, pool_id, 'vm', 'r' || i, spec, 'running', 'running' FROM r RETURNING id
       )
       INSERT INTO resource_events (resource_id, department_id, pool_id, type, from_state, to_state, spec, occurred_at)
       SELECT r.id, r.department_id, r.pool_id,
              CASE WHEN e.k = 5 THEN 'resized' ELSE 'transition' END,
              CASE WHEN e.k = 0 THEN 'provisioning' WHEN e.k IN (1, 3, 6, 8) THEN 'running' ELSE 'stopped' END,
              CASE WHEN e.k IN (1, 3, 6, 8) THEN 'stopped' ELSE 'running' END,
              CASE WHEN e.k >= 5 THEN r.spec || jsonb_build_object('vcpu', 2 + r.i % 16) ELSE r.spec END,
              CASE WHEN e.k = 0 THEN $4::timestamptz - interval '3 days'
                   ELSE $4::timestamptz + (e.k * interval '3 days') + ((r.i % 997) * interval '1 minute') END
       FROM r CROSS JOIN generate_series(0, $5::int) e(k)`,
      [offset + start, offset + start + n - 1, DEPARTMENTS - 1, FROM, EVENTS_IN_MONTH],
    );
  }
  await settle(db);
}

/**
 * Earlier months for the first `count` resources: 30 stop/start events each in the three months before,
 * all before the event in force when the month opens. A draft should not notice them.
 */
async function addHistory(db: DataSource, count: number): Promise<number> {
  const [{ n }] = await db.query(
    `WITH ins AS (
       INSERT INTO resource_events (resource_id, department_id, pool_id, type, from_state, to_state, spec, occurred_at)
       SELECT r.id, r.department_id, r.pool_id, 'transition',
              CASE WHEN h % 2 = 0 THEN 'stopped' ELSE 'running' END, CASE WHEN h % 2 = 0 THEN 'running' ELSE 'stopped' END,
              r.spec, $1::timestamptz - interval '93 days' + h * interval '3 days'
       FROM (SELECT id, department_id, pool_id, spec FROM resources ORDER BY id LIMIT $2) r CROSS JOIN generate_series(0, 29) h
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [FROM, count],
  );
  await settle(db);
  return n;
}

/** The floor: one pass over the same events making the same intervals, summed, nothing else. */
const FLOOR_SQL = `
  SELECT SUM((spec->>'vcpu')::numeric * EXTRACT(EPOCH FROM (LEAST(COALESCE(next_at, $2), $2) - GREATEST(at, $1))))
  FROM (SELECT spec, occurred_at AS at, LEAD(occurred_at) OVER (PARTITION BY resource_id ORDER BY occurred_at, id) AS next_at
        FROM resource_events WHERE occurred_at < $2) e
  WHERE COALESCE(next_at, $2) > $1`;

/** Computes the month's draft from scratch (an earlier draft's lines are dropped untimed). */
async function draft(db: DataSource) {
  await db.query(
    `DELETE FROM rebill_lines WHERE line_set_id IN (SELECT id FROM rebill_line_sets WHERE period = $1)`,
    [PERIOD],
  );
  await db.query(`DELETE FROM rebill_runs WHERE period = $1`, [PERIOD]);
  await db.query(`DELETE FROM rebill_line_sets WHERE period = $1`, [PERIOD]);
  const audit = new AuditService();
  const rebills = new RebillsService(db, audit, new RateCardsService(db, audit), {
    REBILL_PARALLELISM,
  } as AppConfig);
  const memory = memoryPeak();
  const [seconds_, run] = await seconds(() => rebills.compute(PERIOD));
  return { seconds: seconds_, run, peak: memory.stop() };
}

/**
 * What storing the draft's lines alone costs: the same rows, already computed, inserted again (under
 * another run id) into rebill_lines with its indexes, then rolled back. The part of a draft no query
 * plan can save.
 */
async function storeOnly(db: DataSource, lineSetId: string): Promise<number> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await runner.query(
      `CREATE TEMP TABLE computed ON COMMIT DROP AS SELECT * FROM rebill_lines WHERE line_set_id = $1`,
      [lineSetId],
    );
    const columns = `key, kind, month, department_id, resource_id, pool_id, dimension, tier, rate_card_id, unit,
                     usage_ms, quantity, unit_price, amount`;
    const [took] = await seconds(() =>
      runner.query(
        `INSERT INTO rebill_lines (id, line_set_id, ${columns}) SELECT ${LINE_ID}, $1, ${columns} FROM computed`,
        [randomUUID()],
      ),
    );
    await runner.rollbackTransaction();
    return took;
  } finally {
    await runner.release();
  }
}

async function measure(db: DataSource, label: string) {
  const [[{ intervals }]] = await Promise.all([
    db.query(
      `SELECT COUNT(*)::int AS intervals FROM (SELECT LEAD(occurred_at) OVER (PARTITION BY resource_id ORDER BY occurred_at, id) AS next_at
       FROM resource_events WHERE occurred_at < $2) e WHERE COALESCE(next_at, $2) > $1`,
      [FROM, TO],
    ),
  ]);
  const [floor] = await seconds(() => db.query(FLOOR_SQL, [FROM, TO]));
  const { seconds: took, run, peak } = await draft(db);
  const store = await storeOnly(db, run.lineSetId);
  console.log(
    `${label}: ${intervals.toLocaleString('en')} intervals → ${run.lineCount.toLocaleString('en')} lines, ` +
      `total ${run.total.toFixed(2)} CNY; draft ${took.toFixed(2)} s, bare SQL SUM ${floor.toFixed(2)} s ` +
      `(${(took / floor).toFixed(2)}× the floor); storing the lines alone ${store.toFixed(2)} s ` +
      `(${(store / floor).toFixed(2)}× the floor); peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`,
  );
  return { intervals, draft: took, floor, store, peak, total: run.total };
}

const base = process.env.DATABASE_URL;
if (!base) throw new Error('DATABASE_URL is not set (run through scripts/with-services.ts)');
const name = process.env.BENCH_DATABASE ?? `govcloud_bench_rebill_${randomBytes(3).toString('hex')}`;
const url = await createDatabase(base, name);
const db = new DataSource({ ...dataSourceOptions(url), extra: { max: REBILL_PARALLELISM + 2 } });
await db.initialize();
try {
  await db.runMigrations({ transaction: 'each' });
  console.log(
    `政务云费用分摊基准 rebill benchmark: ${DEPARTMENTS} departments, ${RESOURCES} resources (1×), ${PERIOD}; ` +
      `a draft meters on ${REBILL_PARALLELISM} connections`,
  );
  const [gen1] = await seconds(async () => {
    await generateCity(db);
    await addResources(db, RESOURCES, 0);
  });
  console.log(`generated 1× in ${gen1.toFixed(1)} s`);
  const one = await measure(db, '1×');
  const [gen4] = await seconds(() => addResources(db, 3 * RESOURCES, RESOURCES));
  console.log(`generated 4× in ${gen4.toFixed(1)} s`);
  const four = await measure(db, '4×');
  console.log(
    `growth: ${(four.draft / one.draft).toFixed(2)}× the time for ${(four.intervals / one.intervals).toFixed(2)}× the intervals`,
  );
  const earlier = await addHistory(db, RESOURCES);
  const history = await draft(db);
  if (!history.run.total.eq(four.total)) throw new Error('earlier months changed the total');
  console.log(
    `4× after ${earlier.toLocaleString('en')} events of earlier months: draft ${history.seconds.toFixed(2)} s ` +
      `(${(history.seconds / four.draft).toFixed(2)}× the draft without them)`,
  );
  benchLine({ figure: 'rebill.draft.1x', value: one.draft, unit: 's', ceiling: one.floor });
  benchLine({ figure: 'rebill.sql_floor.1x', value: one.floor, unit: 's' });
  benchLine({ figure: 'rebill.store_only.1x', value: one.store, unit: 's', ceiling: one.floor });
  benchLine({ figure: 'rebill.draft.4x', value: four.draft, unit: 's', ceiling: four.floor });
  benchLine({ figure: 'rebill.sql_floor.4x', value: four.floor, unit: 's' });
  benchLine({ figure: 'rebill.store_only.4x', value: four.store, unit: 's', ceiling: four.floor });
  benchLine({
    figure: 'rebill.growth.4x',
    value: four.draft / one.draft,
    unit: '×',
    ceiling: four.intervals / one.intervals,
  });
  benchLine({
    figure: 'rebill.draft.4x_with_history',
    value: history.seconds,
    unit: 's',
    ceiling: four.draft,
  });
  benchLine({
    figure: 'rebill.peak_rss',
    value: Math.max(one.peak, four.peak, history.peak) / 2 ** 20,
    unit: 'MiB',
  });
} finally {
  await db.destroy();
  const admin = new DataSource({ ...dataSourceOptions(base), migrations: [] });
  await admin.initialize();
  if (!process.env.BENCH_DATABASE) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.destroy();
}
