// Provisioning benchmark (issue 4): resources per second from POST to 'running', with the fake driver at
// zero latency, one API process (src/main.ts) and 1 and 3 worker processes (src/worker.ts), against the
// ceiling: raw BullMQ no-op jobs on the same Redis, in as many processes, with the same concurrency,
// added by as many concurrent clients as many at a time as our clients ask for. Twice: one resource per
// POST /api/v1/resources (jobs added one by one), and BENCH_BULK per POST /api/v1/resources/bulk (jobs
// added BENCH_BULK at a time with addBulk). Also p50/p99 from POST to running, and the rate of 202
// answers alone, and the CPU each part used per resource (API, workers, PostgreSQL, Redis) beside the raw
// queue's per job, read from /proc in the same run. Each run, ours and the ceiling alike, is measured warm,
// after a fifth as much again has gone through its processes unmeasured. Goal: at least half the ceiling.
// Run: node --import ./scripts/register.mjs scripts/with-services.ts node --import ./scripts/register.mjs bench/provisioning.ts
// BENCH_RESOURCES (default 600) and BENCH_BULK_RESOURCES (default 6000) per run; BENCH_BULK (default 50)
// resources per bulk request (either total 0 skips its runs); BENCH_CLIENTS (default 16) concurrent requests;
// BENCH_WORKERS (default 1,3) the worker process counts to run; BENCH_ROUNDS (default 5) rounds of each, every
// round the ceiling, the rows alone and ours back to back, the round of the median ratio reported.
import { Queue } from 'bullmq';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scripts/local-services.js';
import { loadConfig, resetConfig } from '../src/config/config.js';
import { JOB_POLICIES, JobName } from '../src/modules/jobs/job-catalogue.js';
import { redisOptions } from '../src/modules/jobs/redis-connection.js';
import { createDatabase, migrate } from '../test/support/database.js';
import { startApi } from '../test/support/processes.js';
import { bearer, startApp, type TestApp } from '../test/support/harness.js';
import { grantQuota } from '../test/support/provisioning.js';
import { benchLine, percentile } from './support/bench.js';
import { cpuMeter, postgresPids, redisPid, type CpuPart } from './support/cpu.js';
import { rowsAlone } from './support/rows-alone.js';
import { concurrently, perItem, processes } from './support/runs.js';

const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 600);
const BULK = Number(process.env.BENCH_BULK ?? 50);
const BULK_RESOURCES = Number(process.env.BENCH_BULK_RESOURCES ?? 6000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

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

/** This process, the clients of every run. */
const CLIENT: CpuPart = { pids: () => [process.pid], command: 'node' };
const REDIS: CpuPart = { pids: async () => [await redisPid(config.REDIS_URL)], command: 'redis-server' };
const POSTGRES: CpuPart = { pids: () => postgresPids(process.env.DATABASE_URL!), command: 'postgres' };

/** POSTs a resource request to the API process over a keep-alive connection, as a real client would. */
function post(
  agent: http.Agent,
  url: string,
  token: string,
  body: unknown,
): Promise<{ status: number; body: string }> {
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

/** How much of a run goes through its processes unmeasured first, so that they are measured warm. */
const WARM_UP = 0.2;

/** `total` rounded down to whole requests of `perRequest`, at least one. */
const warmUp = (total: number, perRequest: number) =>
  Math.max(1, Math.floor((total * WARM_UP) / perRequest)) * perRequest;

/**
 * `total` resources, `perRequest` to a POST (to /bulk when more than one), after an unmeasured warm-up
 * through the same API and worker processes: they are measured warm, as they run in service.
 */
async function ours(
  t: TestApp,
  api: { url: string; pid: number },
  tokens: { admin: string; operator: string },
  workers: number,
  perRequest: number,
  total: number,
) {
  const tag = `w${workers}x${perRequest}-${Date.now().toString(36)}`;
  const run = await processes('src/worker.ts', workers, { LOG_LEVEL: 'info' });
  try {
    await provision(t, api, tokens, perRequest, warmUp(total, perRequest), `${tag}-warm`);
    const cpu = await cpuMeter({
      API: { pids: () => [api.pid], command: 'node' },
      workers: { pids: () => run.pids, command: 'node' },
      PostgreSQL: POSTGRES,
      Redis: REDIS,
      clients: CLIENT,
    });
    const { poolId, accepted } = await provision(t, api, tokens, perRequest, total, tag);
    const used = await cpu();
    // Both ends from the database clock: the request's first event and the running event.
    const rows: Array<{ requested: Date; running: Date }> = await t.dataSource.query(
      `SELECT min(e.occurred_at) FILTER (WHERE e.to_state = 'requested') AS requested,
              min(e.occurred_at) FILTER (WHERE e.to_state = 'running') AS running
       FROM resources r JOIN resource_events e ON e.resource_id = r.id
       WHERE r.pool_id = $1 GROUP BY r.id`,
      [poolId],
    );
    const first = Math.min(...rows.map((r) => r.requested.getTime()));
    const last = Math.max(...rows.map((r) => r.running.getTime()));
    const latencies = rows.map((r) => r.running.getTime() - r.requested.getTime());
    return { rate: total / ((last - first) / 1000), accepted, latencies, cpu: perItem(used, total) };
  } finally {
    await run.stop();
  }
}

/**
 * POSTs `total` resources, `perRequest` to a request, on a pool of their own, and waits until all are
 * running; answers the pool and the rate of 202 answers.
 */
async function provision(
  t: TestApp,
  api: { url: string },
  tokens: { admin: string; operator: string },
  perRequest: number,
  total: number,
  tag: string,
) {
  const pool = await t
    .http()
    .post('/api/v1/pools')
    .set(bearer(tokens.operator))
    .send({
      name: `bench 压测池 ${tag}`,
      type: 'fake',
      tier: 'provider',
      connection: '{"latencyMs":0}',
      capacity: { vcpu: 1_000_000, memoryGiB: 1_000_000, storageGiB: 1_000_000 },
    })
    .expect(201);
  const poolId: string = pool.body.id;
  const [{ runStart }] = await t.dataSource.query(`SELECT now() AS "runStart"`);
  // Connections of this run's own: one left idle since an earlier run may be closing on the server's
  // keep-alive timeout (5 s) just as it is reused, and the request dies with it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const started = performance.now();
  await concurrently(total / perRequest, CLIENTS, async (i) => {
    const body = {
      kind: 'container',
      name: `bench-${tag}-${i}`,
      poolId,
      spec: { vcpu: 1, memoryGiB: 1, storageGiB: 0, image: 'nginx:1.27' },
    };
    const res =
      perRequest === 1
        ? await post(agent, `${api.url}/api/v1/resources`, tokens.admin, body)
        : await post(agent, `${api.url}/api/v1/resources/bulk`, tokens.admin, { ...body, count: perRequest });
    if (res.status !== 202) throw new Error(`POST answered ${res.status} ${res.body}`);
  }).finally(() => agent.destroy());
  const accepted = total / ((performance.now() - started) / 1000);
  // While the run's jobs are open the wait reads only the outbox's open rows (a partial index); the
  // pool's resources are counted once they are all done, so the wait costs the database it measures little.
  for (;;) {
    const [{ open }] = await t.dataSource.query(
      `SELECT count(*)::int AS open FROM outbox_messages
       WHERE done_at IS NULL AND created_at >= $1 AND job_name = $2`,
      [runStart, JobName.ResourceConverge],
    );
    if (open === 0) {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM resources WHERE pool_id = $1 AND state = 'running'`,
        [poolId],
      );
      if (n === total) break;
    }
    await sleep(100);
  }
  return { poolId, accepted };
}

/** `total` no-op jobs, added `perAdd` at a time. */
async function ceiling(workers: number, perAdd: number, total: number) {
  const name = `raw-noop-w${workers}x${perAdd}`;
  const run = await processes('bench/support/raw-bullmq-worker.ts', workers, {
    RAW_QUEUE: name,
    WORKER_CONCURRENCY: String(config.WORKER_CONCURRENCY),
  });
  const queue = new Queue(name, { connection: redisOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
  /** `count` jobs added `perAdd` at a time by the clients, then waited for until all are completed. */
  const noops = async (count: number, prefix: string) => {
    await concurrently(count / perAdd, CLIENTS, async (i) => {
      const jobs = Array.from({ length: perAdd }, (_, j) => ({
        name: 'noop',
        data: { i, j },
        opts: { jobId: `${prefix}-${i}-${j}`, removeOnComplete: false },
      }));
      await (perAdd === 1 ? queue.add(jobs[0].name, jobs[0].data, jobs[0].opts) : queue.addBulk(jobs));
    });
    for (;;) {
      if ((await queue.getCompletedCount()) === count) break;
      await sleep(50);
    }
  };
  try {
    // Warm, as ours are: the warm-up's jobs are cleaned away before the measured ones are added.
    await noops(warmUp(total, perAdd), 'warm');
    await queue.clean(0, 0, 'completed');
    const cpu = await cpuMeter({
      workers: { pids: () => run.pids, command: 'node' },
      Redis: REDIS,
      clients: CLIENT,
    });
    await noops(total, 'noop');
    const used = await cpu();
    const jobs = await queue.getCompleted(0, total);
    const first = Math.min(...jobs.map((j) => j.timestamp));
    const last = Math.max(...jobs.map((j) => j.finishedOn!));
    return {
      rate: total / ((last - first) / 1000),
      latencies: jobs.map((j) => j.finishedOn! - j.timestamp),
      cpu: perItem(used, total),
    };
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    await run.stop();
  }
}

/**
 * Starts a worker process and waits until each periodic job has run once: a worker's first start on a
 * queue prefix runs them all at once (a budget check meters every resource), which would otherwise
 * land inside the first measured run. Their later runs, at their intervals, stay in the runs.
 */
async function periodicJobsRunOnce() {
  const periodic = Object.values(JOB_POLICIES).filter((policy) => policy.everyMs);
  const run = await processes('src/worker.ts', 1);
  const queues = periodic.map(
    (policy) =>
      new Queue(policy.queue, { connection: redisOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX }),
  );
  try {
    for (const queue of queues)
      while (Object.values(await queue.getJobCounts('completed', 'failed')).every((n) => n === 0))
        await sleep(100);
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
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
  // The floor's rows go on a pool of their own, which no worker drives (see floor).
  const floorPool = (
    await t
      .http()
      .post('/api/v1/pools')
      .set(bearer(operator))
      .send({
        name: 'bench 仅写库',
        type: 'fake',
        tier: 'provider',
        connection: '',
        capacity: { vcpu: 1, memoryGiB: 1, storageGiB: 1 },
      })
      .expect(201)
  ).body.id as string;
  await periodicJobsRunOnce();
  const endpoints = { url: `http://127.0.0.1:${port}`, pid: apiProcess.child.pid! };
  console.log(
    `provisioning: ${CLIENTS} concurrent clients, concurrency ${config.WORKER_CONCURRENCY} per worker process, fake pool at zero latency`,
  );
  const runs = [
    { label: '1 resource per POST 每请求一个', figure: 'provisioning', perRequest: 1, total: RESOURCES },
    {
      label: `${BULK} resources per POST /bulk 每请求${BULK}个`,
      figure: `provisioning.bulk${BULK}`,
      perRequest: BULK,
      total: BULK_RESOURCES,
    },
  ];
  for (const { label, figure, perRequest, total } of runs.filter((r) => r.total > 0)) {
    console.log(`  ${label}: ${total} resources, ${ROUNDS} round(s) 轮`);
    for (const workers of (process.env.BENCH_WORKERS ?? '1,3').split(',').map(Number)) {
      console.log(`    ${workers} worker process(es) 工作进程`);
      const rounds = [];
      for (let round = 1; round <= ROUNDS; round++) {
        // As autovacuum would in service (this machine's PostgreSQL runs without it): otherwise each round
        // measures a database bloated by the dead rows of every round before it.
        await t.dataSource.query('VACUUM ANALYZE');
        const raw = await ceiling(workers, perRequest, total);
        const rows = await rowsAlone(
          process.env.DATABASE_URL!,
          { PostgreSQL: POSTGRES, clients: CLIENT },
          dept.id,
          floorPool,
          perRequest,
          total,
        );
        const result = await ours(t, endpoints, { admin: token, operator }, workers, perRequest, total);
        const ratio = result.rate / raw.rate;
        rounds.push({ raw, rows, result, ratio });
        console.log(
          `      round 第${round}轮: ${result.rate.toFixed(1)} resources/s, raw ${raw.rate.toFixed(1)} jobs/s, ratio 比值 ${ratio.toFixed(2)}; rows alone 仅写库 ${rows.rate.toFixed(1)}/s`,
        );
      }
      // The round of the median ratio stands for the run: each round's ours and ceiling ran back to back,
      // so the machine's drift between rounds falls out of its ratio, and one slow moment cannot decide it.
      const byRatio = [...rounds].sort((a, b) => a.ratio - b.ratio);
      const { raw, rows, result, ratio } = byRatio[Math.floor((byRatio.length - 1) / 2)];
      const ms = (n: number) => `${n.toFixed(0)} ms`;
      console.log(
        `      median round 中位轮: ratio 比值 ${ratio.toFixed(2)} (goal ≥ 0.5; rounds ${byRatio[0].ratio.toFixed(2)}–${byRatio[byRatio.length - 1].ratio.toFixed(2)})`,
      );
      console.log(
        `      POST → running 开通: ${result.rate.toFixed(1)} resources/s; p50 ${ms(percentile(result.latencies, 50))}, p99 ${ms(percentile(result.latencies, 99))}`,
      );
      console.log(`      POST answered 202 受理: ${result.accepted.toFixed(1)} resources/s`);
      console.log(
        `      raw BullMQ no-op 空任务上限 (added ${perRequest} at a time): ${raw.rate.toFixed(1)} jobs/s; p50 ${ms(percentile(raw.latencies, 50))}, p99 ${ms(percentile(raw.latencies, 99))}`,
      );
      console.log(`      CPU per resource 每资源 CPU (ms): ${result.cpu}`);
      console.log(`      CPU per no-op job 每空任务 CPU (ms): ${raw.cpu}`);
      console.log(
        `      rows alone, bare SQL 仅写库下限 (${perRequest} a batch): ${rows.rate.toFixed(1)} resources/s; ratio 比值 ${(result.rate / rows.rate).toFixed(2)}`,
      );
      console.log(`      CPU per resource, rows alone 仅写库每资源 CPU (ms): ${rows.cpu}`);
      benchLine({
        figure: `${figure}.running.w${workers}`,
        value: result.rate,
        unit: 'resources/s',
        ceiling: raw.rate,
      });
      benchLine({ figure: `${figure}.accepted.w${workers}`, value: result.accepted, unit: 'resources/s' });
      benchLine({
        figure: `${figure}.latency.p50.w${workers}`,
        value: percentile(result.latencies, 50),
        unit: 'ms',
      });
      benchLine({
        figure: `${figure}.latency.p99.w${workers}`,
        value: percentile(result.latencies, 99),
        unit: 'ms',
      });
      benchLine({ figure: `${figure}.bullmq-noop.w${workers}`, value: raw.rate, unit: 'jobs/s' });
      benchLine({
        figure: `${figure}.vs-rows-alone.w${workers}`,
        value: result.rate,
        unit: 'resources/s',
        ceiling: rows.rate,
      });
    }
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
