import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { freePort, startRedis } from '../../scripts/local-services.js';
import { loadConfig } from '../../src/config/config.js';
import { JobName, QueueName } from '../../src/modules/jobs/job-catalogue.js';
import { redisOptions } from '../../src/modules/jobs/redis-connection.js';
import { startApp, type TestApp } from '../support/harness.js';
import { spawnEntry, type Proc } from '../support/processes.js';

// A worker process that starts while its Redis is away: it must log in one structured line per queue,
// not a line per reconnect attempt; take jobs once Redis is there; and, Redis gone again, still end on
// SIGTERM — a BullMQ drain waits for Redis for ever.
const DRAIN_MS = 2000;

describe('a worker process whose Redis is away', () => {
  let t: TestApp;
  let worker: Proc;
  let redisPort: number;
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await startApp({ api: true, worker: false }); // a migrated database for the worker to boot on
    redisPort = await freePort();
    worker = spawnEntry('worker', 'src/worker.ts', {
      ...process.env,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      LOG_LEVEL: 'info',
      WORKER_DRAIN_MS: String(DRAIN_MS),
    });
    worker.onLine((line) => lines.push(line));
    await worker.printed('workers started');
  });
  afterAll(async () => {
    await worker?.stop(1000);
    await redis?.stop();
    await t?.close();
  });

  it('logs each queue’s connection failure once, as JSON, however often it reconnects', async () => {
    // Reconnect attempts come 200, 400, 600… ms apart: half a dozen per connection in this time.
    await sleep(4000);
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as { msg: string; queue?: string; err?: { message: string } };
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    const failures = records.filter((r) => r.msg === 'worker error' || r.msg === 'queue error');
    const queues = Object.values(QueueName).sort();
    for (const what of ['worker error', 'queue error']) {
      const logged = failures.filter((r) => r.msg === what).map((r) => r.queue);
      expect({ what, queues: logged.sort() }).toEqual({ what, queues });
    }
    expect(failures.every((r) => /ECONNREFUSED/.test(r.err?.message ?? ''))).toBe(true);
  });

  it('takes jobs once Redis is there', async () => {
    redis = await startRedis(redisPort);
    const queue = new Queue(QueueName.Quota, {
      connection: redisOptions(redis.url),
      prefix: loadConfig().QUEUE_PREFIX,
    });
    try {
      const job = await queue.add(JobName.QuotaDriftCheck, {});
      let state = '';
      for (const started = Date.now(); Date.now() - started < 30_000 && state !== 'completed';) {
        await sleep(200);
        state = await job.getState();
      }
      expect(state).toBe('completed');
    } finally {
      await queue.close();
    }
  });

  it('ends on SIGTERM once the drain has waited WORKER_DRAIN_MS, Redis gone again', async () => {
    await redis!.stop();
    await sleep(500);
    const sentAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await Promise.race([
      worker.exited,
      sleep(DRAIN_MS + 20_000, 'still running', { ref: false }),
    ]);
    const tookMs = Date.now() - sentAt;
    expect(exit).toBe('SIGTERM');
    expect(tookMs).toBeGreaterThanOrEqual(DRAIN_MS);
    expect(
      lines.some((line) => line.includes('in-flight jobs did not finish in time (is Redis away?)')),
    ).toBe(true);
  });
});
