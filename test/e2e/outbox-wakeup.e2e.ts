import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { resetConfig } from '../../src/config/config.js';
import { startApp, type TestApp } from '../support/harness.js';
import { createPool, GENEROUS, grantQuota, requestResource, untilState } from '../support/provisioning.js';

// With the poll an hour apart, only the notification of the committed outbox row can bring the job to a
// worker: a resource that comes up in seconds proves the relay woke on it.
describe('outbox relay wakes on the commit, not the poll', () => {
  let t: TestApp;
  const poll = process.env.OUTBOX_POLL_MS;

  beforeAll(async () => {
    process.env.OUTBOX_POLL_MS = String(3_600_000);
    resetConfig();
    t = await startApp({ api: true, worker: true });
  });
  afterAll(async () => {
    await t?.close();
    if (poll === undefined) delete process.env.OUTBOX_POLL_MS;
    else process.env.OUTBOX_POLL_MS = poll;
    resetConfig();
  });

  it('relays each job as its transaction commits', async () => {
    const tree = await t.world.city();
    await grantQuota(t, [tree.city, tree.district, tree.dept], GENEROUS);
    const admin = await t.world.token('dept-admin', tree.dept.id);
    const pool = await createPool(t, await t.world.token('operator'));
    for (let i = 0; i < 3; i++) {
      const { id } = await requestResource(t, admin, pool.id);
      await untilState(t, admin, id, 'running', 15_000);
    }
  });
});
