import { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakePool } from '../../libs/drivers/index.js';
import { Pool } from '../../src/modules/provisioning/entities/pool.entity.js';
import type { Reconciler } from '../../src/modules/provisioning/jobs/reconciler.service.js';
import type { PartialAmounts } from '../../src/modules/quota/index.js';
import type { Department } from '../../src/modules/tenancy/entities/department.entity.js';
import { bearer, startApp, unique, type TestApp } from './harness.js';
import { QuotaDriver } from './quota.js';

/** Quota for a department, granted down its branch (root first), as the allocation model requires. */
export async function grantQuota(t: TestApp, branch: Department[], amounts: PartialAmounts): Promise<void> {
  const q = new QuotaDriver(t);
  for (const department of branch) await q.limits(department.id, amounts);
}

export const GENEROUS: PartialAmounts = {
  vcpu: 1000,
  memoryGiB: 4000,
  storageGiB: 100_000,
  gpu: 8,
  publicIp: 10,
  instances: 500,
};

/** Room at the city level beyond what GENEROUS hands one branch. */
export const DOUBLE: PartialAmounts = Object.fromEntries(
  Object.entries(GENEROUS).map(([d, n]) => [d, (n ?? 0) * 2]),
) as PartialAmounts;

export function aPool(extra: Record<string, unknown> = {}) {
  return {
    name: unique('资源池'),
    type: 'fake',
    tier: 'provider',
    connection: '',
    capacity: { vcpu: 256, memoryGiB: 1024, storageGiB: 20_000, gpu: 4 },
    ...extra,
  };
}

export function aResourceRequest(extra: Record<string, unknown> = {}) {
  return {
    kind: 'vm',
    name: unique('vm'),
    spec: { vcpu: 2, memoryGiB: 4, storageGiB: 40, image: 'debian-12' },
    ...extra,
  };
}

export async function createPool(t: TestApp, operator: string, extra: Record<string, unknown> = {}) {
  const res = await t.http().post('/api/v1/pools').set(bearer(operator)).send(aPool(extra)).expect(201);
  return res.body as { id: string; name: string };
}

/** A dept-admin's request for a resource on `poolId`, accepted (202): the resource as answered. */
export async function requestResource(t: TestApp, token: string, poolId: string) {
  const res = await t
    .http()
    .post('/api/v1/resources')
    .set(bearer(token))
    .send({ ...aResourceRequest(), poolId })
    .expect(202);
  return res.body as { id: string };
}

/**
 * The world of the resource tests: a city tree, tokens for every role, quota down the department's
 * branch (the city keeps room beyond what it hands the district, for departments made in the tests),
 * and a fake pool with a handle on its objects.
 */
export async function fakePoolWorld(t: TestApp) {
  const tree = await t.world.city();
  const tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  await grantQuota(t, [tree.city], DOUBLE);
  await grantQuota(t, [tree.district, tree.dept], GENEROUS);
  const pool = await createPool(t, tokens.operator);
  return { tree, tokens, pool, fake: fakePool(pool.id) };
}

/**
 * `fakePoolWorld` on an app with the API and the worker, for the tests of the file (or describe) this is
 * called in: its hooks start it before them and close it after. Its fields stand only once the tests run,
 * so a test takes them in its body; `request`, `ledger` and `allocated` may be taken at once.
 */
export function resourcesOnFakePool() {
  const world = {} as { t: TestApp } & Awaited<ReturnType<typeof fakePoolWorld>>;
  // Jest's global hooks, not @jest/globals: it throws outside Jest, where bench/provisioning.ts imports this.
  beforeAll(async () => {
    world.t = await startApp({ api: true, worker: true });
    Object.assign(world, await fakePoolWorld(world.t));
  });
  afterAll(async () => {
    await world.fake?.close();
    await world.t?.close();
  });

  const request = (body: Record<string, unknown>, token = world.tokens.deptAdmin, key?: string) => {
    const req = world.t.http().post('/api/v1/resources').set(bearer(token));
    if (key) req.set('Idempotency-Key', key);
    return req.send({ poolId: world.pool.id, ...body });
  };
  const ledger = (resourceId: string) =>
    world.t.dataSource.query(`SELECT action, vcpu FROM quota_ledger WHERE resource_id = $1 ORDER BY id`, [
      resourceId,
    ]);
  /** A dept-admin's resize: PATCH of the resource's spec. */
  const resize = (id: string, spec: Record<string, unknown>) =>
    world.t.http().patch(`/api/v1/resources/${id}`).set(bearer(world.tokens.deptAdmin)).send({ spec });
  const allocated = async () =>
    (await world.t.dataSource.getRepository(Pool).findOneByOrFail({ id: world.pool.id })).allocated;
  return Object.assign(world, { request, resize, ledger, allocated });
}

/** A handle on a fake pool's objects in Redis (where the workers' fake driver keeps them). */
export function fakePool(poolId: string): { pool: FakePool; close(): Promise<void> } {
  const redis = new Redis(process.env.FAKE_POOL_REDIS_URL || process.env.REDIS_URL!);
  return { pool: new FakePool(redis, poolId), close: async () => void (await redis.quit()) };
}

/** Polls until `check` answers a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until the resource reaches `state` (through the API) and answers it with its events. */
export function untilState(t: TestApp, token: string, id: string, state: string, timeoutMs?: number) {
  return eventually(
    `resource ${id} ${state}`,
    async () => {
      const res = await t.http().get(`/api/v1/resources/${id}`).set(bearer(token));
      return res.status === 200 && res.body.state === state ? res.body : undefined;
    },
    timeoutMs,
  );
}

export interface WorkerProcess {
  /** Resolves when the worker has started its BullMQ workers. */
  ready: Promise<void>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  output(): string;
}

/** A real worker process (src/worker.ts) on this test run's database and Redis. */
export function spawnWorker(env: Record<string, string> = {}): WorkerProcess {
  const root = path.resolve(import.meta.dirname, '../..');
  const child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/worker.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('workers started')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`worker exited before it started:\n${log.slice(-2000)}`)));
  });
  ready.catch(() => undefined);
  return { ready, exited, kill: (signal) => child.kill(signal), output: () => log };
}

/** One reconciler pass over a pool; another app of the suite may be running the scheduled pass, so wait our turn. */
export async function reconcilePass(reconciler: Reconciler, poolId: string) {
  for (;;) {
    const reports = await reconciler.reconcileAll([poolId]);
    if (reports) return reports[0];
    await sleep(100);
  }
}
