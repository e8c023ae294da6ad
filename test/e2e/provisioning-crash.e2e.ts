import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/config.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import {
  requestResource,
  createPool,
  eventually,
  fakePool,
  GENEROUS,
  grantQuota,
  spawnWorker,
  untilState,
} from '../support/provisioning.js';

// Real worker processes (src/worker.ts); the test process serves the API only.
describe('worker processes: SIGKILL mid-job and SIGTERM drain', () => {
  let t: TestApp;
  let token: string;
  let pool: { id: string };
  let fake: ReturnType<typeof fakePool>;

  beforeAll(async () => {
    t = await startApp({ api: true, worker: false });
    const tree = await t.world.city();
    await grantQuota(t, [tree.city, tree.district, tree.dept], GENEROUS);
    token = await t.world.token('dept-admin', tree.dept.id);
    pool = await createPool(t, await t.world.token('operator'));
    fake = fakePool(pool.id);
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  const post = () => requestResource(t, token, pool.id);

  it('takes a SIGKILLed worker’s job up again: one object, quota reserved once, within lock + stalled interval', async () => {
    await fake.pool.pause();
    const doomed = spawnWorker();
    await doomed.ready;
    const { id } = await post();
    // The doomed worker took the job and hangs in the driver call.
    await untilState(t, token, id, 'provisioning', 30_000);

    // The survivor is up before the crash, as it would be in production.
    const survivor = await startApp({ api: false, worker: true });
    try {
      // Hold the row, so that once the object exists the doomed worker blocks before recording 'running'.
      const holder = new pg.Client({ connectionString: loadConfig().DATABASE_URL });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM resources WHERE id = $1 FOR UPDATE', [id]);
      await fake.pool.resume();
      await eventually('the object', async () =>
        (await fake.pool.createCount(id)) === 1 ? true : undefined,
      );
      await sleep(300);
      doomed.kill('SIGKILL');
      const killedAt = Date.now();
      await doomed.exited;
      await holder.query('ROLLBACK');
      await holder.end();

      const running = await untilState(t, token, id, 'running', 40_000);
      // The doomed worker's last statement may still complete once the row is free (its backend does
      // not notice the dead client while it waits for the lock); the job itself is the survivor's to
      // finish: its outbox row is marked done only by a worker that completes the job.
      await eventually(
        'the job done by the survivor',
        async () => {
          const [row] = await t.dataSource.query(
            `SELECT done_at FROM outbox_messages WHERE payload->'resourceIds' ? $1`,
            [id],
          );
          return row?.done_at ? true : undefined;
        },
        40_000,
      );
      const { WORKER_LOCK_MS, WORKER_STALLED_INTERVAL_MS } = loadConfig();
      // BullMQ notices the dead worker's job when its lock expires, at the next stalled check.
      const retakenInMs = Date.now() - killedAt;
      console.log(`job of the SIGKILLed worker finished by the survivor ${retakenInMs} ms after the kill`);
      expect(retakenInMs).toBeLessThan(WORKER_LOCK_MS + WORKER_STALLED_INTERVAL_MS + 10_000);
      expect(running.events.filter((e: { toState: string }) => e.toState === 'running')).toHaveLength(1);
      expect(await fake.pool.createCount(id)).toBe(1);
      expect((await fake.pool.objects()).filter((o) => o.resourceId === id)).toHaveLength(1);
      const ledger = await t.dataSource.query(
        `SELECT action, count(*)::int AS n, sum(vcpu)::int AS vcpu FROM quota_ledger WHERE resource_id = $1 GROUP BY action ORDER BY action`,
        [id],
      );
      expect(ledger).toEqual([
        { action: 'commit', n: 1, vcpu: 0 },
        { action: 'reserve', n: 1, vcpu: 2 },
      ]);
    } finally {
      await survivor.close();
    }
  }, 120_000);

  it('drains on SIGTERM: the job in flight finishes before the process exits', async () => {
    await fake.pool.configure({ latencyMs: 1500 });
    const worker = spawnWorker();
    try {
      await worker.ready;
      const { id } = await post();
      await untilState(t, token, id, 'provisioning', 30_000);
      worker.kill('SIGTERM');
      const exit = await worker.exited;
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      const after = await t.http().get(`/api/v1/resources/${id}`).set(bearer(token)).expect(200);
      expect(after.body.state).toBe('running');
      const [row] = await t.dataSource.query(
        `SELECT done_at, last_error FROM outbox_messages WHERE payload->'resourceIds' ? $1`,
        [id],
      );
      expect(row).toMatchObject({ last_error: null });
      expect(row.done_at).not.toBeNull();
    } finally {
      worker.kill('SIGKILL');
      await fake.pool.configure({ latencyMs: 0 });
    }
  }, 120_000);
});
