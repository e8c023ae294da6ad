// bench/http-api: authenticated GET throughput of a real API process (src/main.ts: auth guard, user
// lookup, validation, JSON logging at warn, metrics) against the raw ceiling measured in the same run —
// a bare Node http server answering the same bytes, driven by the same client at the same concurrency.
// The ratio is what the framework and the per-request database lookup cost.
//
//   node --import ./scripts/register.mjs scripts/with-services.ts \
//     node --import ./scripts/register.mjs bench/http-api.ts
//
// BENCH_SECONDS (default 5): one-second rounds per figure, interleaved. Uses a database of its own, dropped at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { freePort } from '../scripts/local-services.js';
import { createDatabase, migrate } from '../test/support/database.js';
import { startApi, waitForHttp } from '../test/support/processes.js';
import { benchLine, percentile } from './support/bench.js';

const baseUrl = process.env.DATABASE_URL;
if (!baseUrl || !process.env.REDIS_URL) {
  console.error('DATABASE_URL / REDIS_URL are not set: run through scripts/with-services.ts');
  process.exit(2);
}
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 32;

/** Completed requests and their latencies, from `concurrency` keep-alive loops for `seconds`. */
async function drive(url: string, headers: Record<string, string>, seconds: number, concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      http
        .get(url, { agent, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - started : -1));
        })
        .on('error', reject);
    });
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const ms = await get().catch(() => -1);
        if (ms < 0) errors++;
        else latencies.push(ms);
      }
    }),
  );
  agent.destroy();
  if (errors > 0) throw new Error(`${url}: ${errors} requests failed`);
  return { count: latencies.length, latencies };
}

/** CPU time a process has used so far, in seconds (Linux /proc; clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const databaseName = `govcloud_bench_http_${run}`;
const databaseUrl = await createDatabase(baseUrl, databaseName);
await migrate(databaseUrl);
const password = randomBytes(12).toString('hex');
const apiPort = await freePort();
const api = await startApi('api', apiPort, {
  ...process.env,
  DATABASE_URL: databaseUrl,
  JWT_SECRET: randomBytes(32).toString('hex'),
  SECRET_KEY: randomBytes(32).toString('hex'),
  QUEUE_PREFIX: `bench-${run}`,
  LOG_LEVEL: 'warn',
  GOVCLOUD_ADMIN_PASSWORD: password,
});
const barePort = await freePort();
let bare: ReturnType<typeof spawn> | undefined;
try {
  const api_ = `http://127.0.0.1:${apiPort}`;
  const login = await fetch(`${api_}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const auth = { Authorization: `Bearer ${accessToken}` };
  const me = await (await fetch(`${api_}/api/v1/auth/me`, { headers: auth })).text();

  // The ceiling: the same answer from a bare http server in its own process, as the API is.
  const script = `require('http').createServer((q, s) => { s.setHeader('Content-Type', 'application/json'); s.end(${JSON.stringify(me)}); }).listen(${barePort}, '127.0.0.1')`;
  bare = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  await waitForHttp(`http://127.0.0.1:${barePort}/`);

  // Interleaved one-second rounds, so that load from elsewhere on the machine hits every side alike.
  const apiPid = api.child.pid!;
  const targets = {
    ceiling: { url: `http://127.0.0.1:${barePort}/`, headers: {}, pid: bare.pid! },
    healthz: { url: `${api_}/healthz`, headers: {}, pid: apiPid },
    me: { url: `${api_}/api/v1/auth/me`, headers: auth, pid: apiPid },
    departments: { url: `${api_}/api/v1/departments`, headers: auth, pid: apiPid },
  };
  type Target = keyof typeof targets;
  const results = Object.fromEntries(
    Object.keys(targets).map((k) => [k, { count: 0, latencies: [] as number[], cpu: 0 }]),
  );
  for (const t of Object.values(targets)) await drive(t.url, t.headers, 0.5, CONCURRENCY); // warm-up
  for (let round = 0; round < SECONDS; round++) {
    for (const [name, t] of Object.entries(targets)) {
      const cpuBefore = cpuSeconds(t.pid);
      const r = await drive(t.url, t.headers, 1, CONCURRENCY);
      results[name].cpu += cpuSeconds(t.pid) - cpuBefore;
      results[name].count += r.count;
      results[name].latencies.push(...r.latencies);
    }
  }
  const rate = (name: Target) => results[name].count / SECONDS;
  const p99 = (name: Target) => percentile(results[name].latencies, 99);
  // Requests per second of the server process's own CPU: what a request costs, whatever else runs on
  // the machine (throughput alone moves with the load other processes put on the cores).
  const perCpu = (name: Target) => results[name].count / Math.max(results[name].cpu, 0.01);
  console.log(`裸 Node http 上限 bare Node http ceiling: ${rate('ceiling').toFixed(0)} req/s`);
  console.log(
    `GET /healthz (no token, no database): ${rate('healthz').toFixed(0)} req/s, p99 ${p99('healthz').toFixed(1)} ms`,
  );
  console.log(
    `GET /api/v1/auth/me (JWT + user lookup): ${rate('me').toFixed(0)} req/s, p99 ${p99('me').toFixed(1)} ms`,
  );
  console.log(
    `GET /api/v1/departments (JWT, list): ${rate('departments').toFixed(0)} req/s, p99 ${p99('departments').toFixed(1)} ms`,
  );
  const c = `c${CONCURRENCY}`;
  benchLine({
    figure: `http.get.healthz.${c}`,
    value: rate('healthz'),
    unit: 'req/s',
    ceiling: rate('ceiling'),
  });
  benchLine({ figure: `http.get.auth_me.${c}`, value: rate('me'), unit: 'req/s', ceiling: rate('ceiling') });
  benchLine({
    figure: `http.get.departments.${c}`,
    value: rate('departments'),
    unit: 'req/s',
    ceiling: rate('ceiling'),
  });
  benchLine({ figure: `http.get.auth_me.${c}.p99`, value: p99('me'), unit: 'ms' });
  console.log(
    `每 CPU 秒请求数 requests per CPU-second: bare ${perCpu('ceiling').toFixed(0)}, healthz ${perCpu('healthz').toFixed(0)}, ` +
      `auth/me ${perCpu('me').toFixed(0)}, departments ${perCpu('departments').toFixed(0)}`,
  );
  for (const [name, figure] of [
    ['healthz', 'healthz'],
    ['me', 'auth_me'],
    ['departments', 'departments'],
  ] as const) {
    benchLine({
      figure: `http.get.${figure}.${c}.per_cpu`,
      value: perCpu(name),
      unit: 'req/cpu-s',
      ceiling: perCpu('ceiling'),
    });
  }
} finally {
  bare?.kill('SIGTERM');
  await api.stop();
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  await admin.end();
}
