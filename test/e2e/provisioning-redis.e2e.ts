import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../scripts/local-services.js';
import { resetConfig } from '../../src/config/config.js';
import { startApp, type TestApp } from '../support/harness.js';
import {
  requestResource,
  createPool,
  eventually,
  fakePool,
  GENEROUS,
  grantQuota,
} from '../support/provisioning.js';

/** A redis-server of this test's own (no persistence), so restarting it disturbs no one else. */
function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  return eventually(`redis on ${port}`, async () => {
    const { connect } = await import('node:net');
    return new Promise<ChildProcess | undefined>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.end(), resolve(child)));
      socket.once('error', () => resolve(undefined));
    });
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('Redis restarted while work is queued', () => {
  const saved = { REDIS_URL: process.env.REDIS_URL, FAKE_POOL_REDIS_URL: process.env.FAKE_POOL_REDIS_URL };
  let redis: ChildProcess;
  let port: number;
  let t: TestApp;
  let token: string;
  let pool: { id: string };
  let fake: ReturnType<typeof fakePool>;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    // Queues on the private Redis; the fake pool's objects stay on the suite's, so they survive the restart.
    process.env.FAKE_POOL_REDIS_URL = saved.FAKE_POOL_REDIS_URL || saved.REDIS_URL;
    process.env.REDIS_URL = `redis://127.0.0.1:${port}/0`;
    resetConfig();
    t = await startApp({ api: true, worker: true });
    const tree = await t.world.city();
    await grantQuota(t, [tree.city, tree.district, tree.dept], GENEROUS);
    token = await t.world.token('dept-admin', tree.dept.id);
    pool = await createPool(t, await t.world.token('operator'));
    fake = fakePool(pool.id);
  });
  afterAll(async () => {
    await fake?.pool.resume();
    await fake?.close();
    await t?.close();
    if (redis) await stop(redis);
    Object.assign(process.env, saved);
    resetConfig();
  });

  it('loses nothing: the relay re-enqueues what the outbox still holds, each object made once', async () => {
    await fake.pool.pause();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await requestResource(t, token, pool.id)).id);
    }
    // Every job is in Redis (some running, hung in the paused pool; the rest waiting) when Redis goes.
    await eventually('all enqueued', async () => {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox_messages, jsonb_array_elements_text(payload->'resourceIds') AS r(id)
         WHERE r.id = ANY($1) AND enqueued_at IS NOT NULL`,
        [ids],
      );
      return n === ids.length ? true : undefined;
    });
    await stop(redis);
    await sleep(500);
    redis = await startRedis(port);
    await fake.pool.resume();

    await eventually(
      'all running',
      async () => {
        const states = await t.dataSource.query(`SELECT state FROM resources WHERE id = ANY($1)`, [ids]);
        return states.every((r: { state: string }) => r.state === 'running') ? true : undefined;
      },
      90_000,
    );
    for (const id of ids) expect(await fake.pool.createCount(id)).toBe(1);
    const [{ reserves }] = await t.dataSource.query(
      `SELECT count(*)::int AS reserves FROM quota_ledger WHERE resource_id = ANY($1) AND action = 'reserve'`,
      [ids],
    );
    expect(reserves).toBe(ids.length);
  }, 150_000);
});
