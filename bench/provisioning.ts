// Provisioning benchmark (issue 4): resources per second from POST /api/v1/resources to 'running', with
// the fake driver at zero latency, one API process (src/main.ts) and 1 and 3 worker processes
// (src/worker.ts), against the ceiling:
// raw BullMQ no-op jobs on the same Redis, in as many processes, with the same concurrency, added one by
// one by as many concurrent clients. Also p50/p99 from POST to running, and the rate of 202 answers
// alone. Goal: at least half the ceiling.
// Run: node --import ./scripts/register.mjs scripts/with-services.ts node --import ./scripts/register.mjs bench/provisioning.ts
// BENCH_RESOURCES (default 600) per run; BENCH_CLIENTS (default 16) concurrent requests.
import { Queue } from 'bullmq';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scripts/local-services.js';
import { loadConfig, resetConfig } from '../src/config/config.js';
import { redisOptions } from '../src/modules/jobs/redis-connection.js';
import { createDatabase, migrate } from '../test/support/database.js';
import { startApi } from '../test/support/processes.js';
import { bearer, startApp, type TestApp } from '../test/support/harness.js';
import { grantQuota } from '../test/support/provisioning.js';
import { benchLine, percentile } from './support/bench.js';

const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 600);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const root = path.resolve(import.meta.dirname, '..');

const base = process.env.DATABASE_URL;
if (!base) throw new Error('DATABASE_URL is not set: run through scripts/with-services.ts');
const dbName = `govcloud_bench_provisioning_${Date.now().toString(36)}`;
process.env.DATABASE_URL = await createDatabase(base, dbName);
await migrate(process.env.DATABASE_URL);
process.env.JWT_SECRET ??= randomBytes(32).toString('hex');
process.env.SECRET_KEY ??= randomBytes(32).toString('hex');
process.env.QUEUE_PREFIX = `bench-${Date.now().toString(36)}`;
process.env.LOG_LEVEL ??= 'silent';
resetConfig();
const config = loadConfig();

/** Starts processes running `script` and waits until each has its BullMQ workers up. */
async function processes(script: string, count: number, env: Record<string, string> = {}) {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', './scripts/register.mjs', script], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('workers started')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
        }),
    ),
  );
  for (const child of children) child.stdout!.resume();
  return {
    stop: () =>
      Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              child.removeAllListeners('exit');
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      ),
  };
}

/** Runs `task` for 0..n-1 with `clients` in flight. */
async function concurrently(n: number, clients: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

/** POSTs a resource request to the API process over a keep-alive connection, as a real client would. */
function post(url: string, token: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...bearer(token), 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

async function ours(t: TestApp, api: string, token: string, poolId: string, workers: number) {
  const run = await processes('src/worker.ts', workers, { LOG_LEVEL: 'info' });
  try {
    const tag = `w${workers}-${Date.now().toString(36)}`;
    const started = performance.now();
    await concurrently(RESOURCES, CLIENTS, async (i) => {
      const res = await post(`${api}/api/v1/resources`, token, {
        kind: 'container',
        name: `bench-${tag}-${i}`,
        poolId,
        spec: { vcpu: 1, memoryGiB: 1, storageGiB: 0, image: 'nginx:1.27' },
      });
      if (res.status !== 202) throw new Error(`POST answered ${res.status} ${res.body}`);
    });
    const accepted = RESOURCES / ((performance.now() - started) / 1000);
    for (;;) {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM resources WHERE name LIKE $1 AND state = 'running'`,
        [`bench-${tag}-%`],
      );
      if (n === RESOURCES) break;
      await sleep(50);
    }
    // Both ends from the database clock: the request's first event and the running event.
    const rows: Array<{ requested: Date; running: Date }> = await t.dataSource.query(
      `SELECT min(e.occurred_at) FILTER (WHERE e.to_state = 'requested') AS requested,
              min(e.occurred_at) FILTER (WHERE e.to_state = 'running') AS running
       FROM resources r JOIN resource_events e ON e.resource_id = r.id
       WHERE r.name LIKE $1 GROUP BY r.id`,
      [`bench-${tag}-%`],
    );
    const first = Math.min(...rows.map((r) => r.requested.getTime()));
    const last = Math.max(...rows.map((r) => r.running.getTime()));
    const latencies = rows.map((r) => r.running.getTime() - r.requested.getTime());
    return { rate: RESOURCES / ((last - first) / 1000), accepted, latencies };
  } finally {
    await run.stop();
  }
}

async function ceiling(workers: number) {
  const name = `raw-noop-w${workers}`;
  const run = await processes('bench/support/raw-bullmq-worker.ts', workers, {
    RAW_QUEUE: name,
    WORKER_CONCURRENCY: String(config.WORKER_CONCURRENCY),
  });
  const queue = new Queue(name, { connection: redisOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
  try {
    await concurrently(RESOURCES, CLIENTS, async (i) => {
      await queue.add('noop', { i }, { jobId: `noop-${i}`, removeOnComplete: false });
    });
    for (;;) {
      if ((await queue.getCompletedCount()) === RESOURCES) break;
      await sleep(50);
    }
    const jobs = await queue.getCompleted(0, RESOURCES);
    const first = Math.min(...jobs.map((j) => j.timestamp));
    const last = Math.max(...jobs.map((j) => j.finishedOn!));
    return {
      rate: RESOURCES / ((last - first) / 1000),
      latencies: jobs.map((j) => j.finishedOn! - j.timestamp),
    };
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    await run.stop();
  }
}

const t = await startApp({ api: true, worker: false });
// The API under test runs in a process of its own, as deployed; this one is only the clients.
const port = await freePort();
const apiProcess = await startApi('api', port, { ...process.env, LOG_LEVEL: 'warn' });
try {
  const city = await t.world.department('city');
  const district = await t.world.department('district', city);
  const dept = await t.world.department('department', district);
  const lots = { vcpu: 1_000_000, memoryGiB: 1_000_000, storageGiB: 1_000_000, instances: 1_000_000 };
  await grantQuota(t, [city, district, dept], lots);
  const token = await t.world.token('dept-admin', dept.id);
  const operator = await t.world.token('operator');
  const pool = await t
    .http()
    .post('/api/v1/pools')
    .set(bearer(operator))
    .send({
      name: 'bench 压测池',
      type: 'fake',
      tier: 'provider',
      connection: '{"latencyMs":0}',
      capacity: { vcpu: 1_000_000, memoryGiB: 1_000_000, storageGiB: 1_000_000 },
    })
    .expect(201);

  console.log(
    `provisioning: ${RESOURCES} resources, ${CLIENTS} concurrent clients, concurrency ${config.WORKER_CONCURRENCY} per worker process, fake pool at zero latency`,
  );
  for (const workers of [1, 3]) {
    const raw = await ceiling(workers);
    const result = await ours(t, `http://127.0.0.1:${port}`, token, pool.body.id, workers);
    const ms = (n: number) => `${n.toFixed(0)} ms`;
    console.log(`  ${workers} worker process(es) 工作进程`);
    console.log(
      `    POST → running 开通: ${result.rate.toFixed(1)} resources/s; p50 ${ms(percentile(result.latencies, 50))}, p99 ${ms(percentile(result.latencies, 99))}`,
    );
    console.log(`    POST answered 202 受理: ${result.accepted.toFixed(1)} requests/s`);
    console.log(
      `    raw BullMQ no-op 空任务上限: ${raw.rate.toFixed(1)} jobs/s; p50 ${ms(percentile(raw.latencies, 50))}, p99 ${ms(percentile(raw.latencies, 99))}`,
    );
    console.log(`    ratio 比值: ${(result.rate / raw.rate).toFixed(2)} (goal ≥ 0.5)`);
    benchLine({
      figure: `provisioning.running.w${workers}`,
      value: result.rate,
      unit: 'resources/s',
      ceiling: raw.rate,
    });
    benchLine({ figure: `provisioning.accepted.w${workers}`, value: result.accepted, unit: 'requests/s' });
    benchLine({
      figure: `provisioning.latency.p50.w${workers}`,
      value: percentile(result.latencies, 50),
      unit: 'ms',
    });
    benchLine({
      figure: `provisioning.latency.p99.w${workers}`,
      value: percentile(result.latencies, 99),
      unit: 'ms',
    });
    benchLine({ figure: `provisioning.bullmq-noop.w${workers}`, value: raw.rate, unit: 'jobs/s' });
  }
} finally {
  await apiProcess.stop();
  await t.close();
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
}
process.exit(0);
