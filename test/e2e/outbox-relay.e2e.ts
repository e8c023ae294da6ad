import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { UnrecoverableError, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config.js';
import { JobName, QueueName } from '../../src/modules/jobs/job-catalogue.js';
import { OutboxRelay, STALE_AFTER_MS } from '../../src/modules/jobs/outbox-relay.js';
import { OutboxService } from '../../src/modules/jobs/outbox.service.js';
import { QueueRegistry } from '../../src/modules/jobs/queue-registry.js';
import { redisOptions } from '../../src/modules/jobs/redis-connection.js';
import { startApp, type TestApp } from '../support/harness.js';
import { eventually } from '../support/provisioning.js';

// The API process alone, so that this suite's own bare BullMQ worker is the only one taking jobs.
describe('outbox relay: a job that ended without its worker recording it', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp({ api: true, worker: false })));
  afterAll(() => t.close());

  const row = async (id: string) =>
    (await t.dataSource.query(`SELECT done_at, last_error FROM outbox_messages WHERE id = $1`, [id]))[0] as {
      done_at: Date | null;
      last_error: string | null;
    };

  const enqueue = async (count: number) => {
    const outbox = t.app.get(OutboxService);
    await t.dataSource.transaction(async (m) => {
      for (let i = 0; i < count; i++)
        await outbox.enqueue(m, JobName.ResourceConverge, { resourceIds: [randomUUID()] });
    });
  };
  const fresh = async () =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox_messages WHERE enqueued_at IS NULL`))[0]
      .n;

  it('relays each new row once, however many relays run at once (every worker has one)', async () => {
    await enqueue(20);
    const relay = t.app.get(OutboxRelay);
    const passes = await Promise.all([1, 2, 3].map(() => relay.pump(new Date(), false)));
    expect(passes.reduce((sum, pass) => sum + pass.enqueued, 0)).toBe(20);
    expect(await fresh()).toBe(0);
  });

  it('gives rows back when Redis refuses them, for the next pass', async () => {
    await enqueue(3);
    const queue = t.app.get(QueueRegistry).get(QueueName.Provisioning);
    const refused = jest.spyOn(queue, 'addBulk').mockRejectedValueOnce(new Error('Connection is closed.'));
    const relay = t.app.get(OutboxRelay);
    try {
      await expect(relay.pump(new Date(), false)).rejects.toThrow('Connection is closed.');
    } finally {
      refused.mockRestore();
    }
    expect(await fresh()).toBe(3);
    expect(await relay.pump(new Date(), false)).toEqual({ enqueued: 3, requeued: 0 });
  });

  it('closes the row with what BullMQ knows, instead of checking it against Redis for ever', async () => {
    await t.dataSource.transaction((m) =>
      t.app.get(OutboxService).enqueue(m, JobName.ResourceConverge, { resourceIds: [randomUUID()] }),
    );
    const [{ id }] = await t.dataSource.query(
      `SELECT id FROM outbox_messages WHERE done_at IS NULL ORDER BY created_at DESC LIMIT 1`,
    );
    const relay = t.app.get(OutboxRelay);
    await relay.pump(new Date(), false);
    // BullMQ itself fails the job, as it does one that stalled too often: no handler marks the row.
    const config = loadConfig();
    const bare = new Worker(
      QueueName.Provisioning,
      async () => {
        throw new UnrecoverableError('job stalled more than allowable limit');
      },
      { connection: redisOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX },
    );
    try {
      const queue = t.app.get(QueueRegistry).get(QueueName.Provisioning);
      await eventually('the job failed in BullMQ', async () =>
        (await queue.getJob(id))?.failedReason ? true : undefined,
      );
    } finally {
      await bare.close();
    }
    expect((await row(id)).done_at).toBeNull();

    await relay.pump(new Date(Date.now() + STALE_AFTER_MS + 1000), true);
    const closed = await row(id);
    expect(closed.done_at).not.toBeNull();
    expect(closed.last_error).toBe('job stalled more than allowable limit');
  });
});
