// Quota admission throughput: reservations per second through QuotaService (TypeORM, the product
// path) against the raw ceiling — the same locked check-and-insert written with bare pg — at
// concurrency 1, 16 and 64, on one department (every call contends for one row lock) and spread over
// 1,000 departments. Goal: the service reaches at least half of the ceiling.
//
//   node --import ./scripts/register.mjs scripts/with-services.ts \
//     node --import ./scripts/register.mjs bench/quota-admission.ts
//
// BENCH_SECONDS (default 4) sets how long each side of each figure runs. Uses a database of its own, dropped at the end.
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createDatabase, migrate } from '../test/support/database.js';
import { benchLine, percentile } from './support/bench.js';

const baseUrl = process.env.DATABASE_URL;
if (!baseUrl) {
  console.error('DATABASE_URL is not set: run through scripts/with-services.ts');
  process.exit(2);
}
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = [1, 16, 64];
const SPREAD = 1000;
const POOL = 20; // the application's pool size (src/database/data-source-options.ts), for both sides

const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const databaseName = `govcloud_bench_${run}`;
const databaseUrl = await createDatabase(baseUrl, databaseName);
await migrate(databaseUrl);
Object.assign(process.env, {
  DATABASE_URL: databaseUrl,
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
  SECRET_KEY: process.env.SECRET_KEY ?? randomBytes(32).toString('hex'),
  QUEUE_PREFIX: `bench-${run}`,
  LOG_LEVEL: 'silent',
});

const { NestFactory } = await import('@nestjs/core');
const { DataSource } = await import('typeorm');
const { AppModule } = await import('../src/app.module.js');
const { QuotaService } = await import('../src/modules/quota/quota.service.js');
const { QuotaLimitsService } = await import('../src/modules/quota/quota-limits.service.js');
const { QuotaDriftService } = await import('../src/modules/quota/quota-drift.service.js');

const app = await NestFactory.createApplicationContext(AppModule.forRole({ api: true, worker: false }), {
  logger: false,
});
const dataSource = app.get(DataSource);
const quota = app.get(QuotaService);
const limits = app.get(QuotaLimitsService);
const raw = new pg.Pool({ connectionString: databaseUrl, max: POOL });

// A city, one district, and 1,000 departments under it, each with room for far more than the run takes.
const HUGE = 1_000_000_000;
async function department(kind: string, parent?: { id: string; path: string }) {
  const id = randomUUID();
  const path = `${parent?.path ?? '/'}${id}/`;
  await dataSource.query(
    'INSERT INTO departments (id, code, name, kind, parent_id, path) VALUES ($1, $2, $3, $4, $5, $6)',
    [id, `bench-${id.slice(0, 13)}`, `压测 ${kind}`, kind, parent?.id ?? null, path],
  );
  return { id, path };
}
const setLimits = (id: string, value: number) =>
  dataSource.transaction((m) => limits.setLimits(m, id, { vcpu: value, instances: value }));
const city = await department('city');
await setLimits(city.id, HUGE * 4);
const district = await department('district', city);
await setLimits(district.id, HUGE * 2);
const departments: string[] = [];
for (let i = 0; i < SPREAD; i++) {
  const { id } = await department('department', district);
  await setLimits(id, Math.floor(HUGE / SPREAD));
  departments.push(id);
}
const one = departments[0];

/**
 * Runs the service and the ceiling in alternating slices (ROUNDS of each, SECONDS in all per side),
 * `concurrency` loops each, so a machine whose load changes during the run skews both sides alike.
 * Answers ops/s and latency percentiles in ms per side.
 */
const ROUNDS = 4;
async function measurePair(
  concurrency: number,
  ops: { service: () => Promise<void>; ceiling: () => Promise<void> },
) {
  const latencies = { service: [] as number[], ceiling: [] as number[] };
  const slice = (SECONDS * 1000) / ROUNDS;
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of ['service', 'ceiling'] as const) {
      const warmUntil = performance.now() + 100;
      const until = warmUntil + slice;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let start = performance.now(); start < until; start = performance.now()) {
            await ops[side]();
            if (start >= warmUntil) latencies[side].push(performance.now() - start);
          }
        }),
      );
    }
  }
  const stats = (samples: number[]) => ({
    opsPerSecond: samples.length / SECONDS,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
  });
  return { service: stats(latencies.service), ceiling: stats(latencies.ceiling) };
}

const amounts = { vcpu: 1, instances: 1 };

/** The product path: one transaction per reservation through QuotaService. */
const throughService = (departmentId: () => string) => () =>
  dataSource.transaction((manager) =>
    quota.reserve(manager, { departmentId: departmentId(), resourceId: randomUUID(), amounts }),
  );

/** The ceiling: the same lock, check, ledger insert and counter update, in bare pg. */
const throughPg = (departmentId: () => string) => async () => {
  const client = await raw.connect();
  try {
    const id = departmentId();
    await client.query('BEGIN');
    const { rows } = await client.query(
      `SELECT vcpu_limit - vcpu_used - vcpu_allocated AS vcpu, instances_limit - instances_used - instances_allocated AS instances
       FROM department_quotas WHERE department_id = $1 FOR UPDATE`,
      [id],
    );
    if (Number(rows[0].vcpu) < amounts.vcpu || Number(rows[0].instances) < amounts.instances)
      throw new Error('quota exceeded');
    await client.query(
      `WITH entry AS (
         INSERT INTO quota_ledger (department_id, resource_id, action, vcpu, instances)
         VALUES ($1, $2, 'reserve', $3, $4) RETURNING vcpu, instances)
       UPDATE department_quotas q SET vcpu_used = q.vcpu_used + entry.vcpu,
         instances_used = q.instances_used + entry.instances, updated_at = now()
       FROM entry WHERE q.department_id = $1`,
      [id, randomUUID(), amounts.vcpu, amounts.instances],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
};

console.log(
  `配额准入压测 quota admission benchmark: ${SECONDS} s per figure, pool ${POOL}, ${SPREAD} departments`,
);
for (const [scenario, label, pick] of [
  ['one', '单部门 one department', () => one],
  [
    'spread',
    `分散 ${SPREAD} 部门 spread over ${SPREAD} departments`,
    () => departments[Math.floor(Math.random() * SPREAD)],
  ],
] as const) {
  for (const concurrency of CONCURRENCY) {
    const { service, ceiling } = await measurePair(concurrency, {
      service: throughService(pick),
      ceiling: throughPg(pick),
    });
    const ratio = service.opsPerSecond / ceiling.opsPerSecond;
    console.log(
      `${label}, 并发 concurrency ${concurrency}: 服务 service ${service.opsPerSecond.toFixed(0)} ops/s ` +
        `(p50 ${service.p50.toFixed(2)} ms, p99 ${service.p99.toFixed(2)} ms) · 裸 pg raw ${ceiling.opsPerSecond.toFixed(0)} ops/s ` +
        `(p50 ${ceiling.p50.toFixed(2)} ms, p99 ${ceiling.p99.toFixed(2)} ms) · 比率 ratio ${ratio.toFixed(2)}`,
    );
    const figure = `quota.admission.${scenario}.c${concurrency}`;
    benchLine({ figure, value: service.opsPerSecond, unit: 'ops/s', ceiling: ceiling.opsPerSecond });
    benchLine({ figure: `${figure}.p50`, value: service.p50, unit: 'ms' });
    benchLine({ figure: `${figure}.p99`, value: service.p99, unit: 'ms' });
    benchLine({ figure: `${figure}.raw.p50`, value: ceiling.p50, unit: 'ms' });
    benchLine({ figure: `${figure}.raw.p99`, value: ceiling.p99, unit: 'ms' });
  }
}

// The run must leave the counters exactly equal to the ledger.
const drift = await app.get(QuotaDriftService).check();
console.log(
  `漂移检查 drift check: ${drift.clean ? '一致 clean' : `${drift.differences.length} differences`}`,
);
await raw.end();
await app.close();
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
await admin.end();
if (!drift.clean) process.exit(1);
