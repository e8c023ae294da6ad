import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobName, QueueName } from '../../src/modules/jobs/job-catalogue.js';
import { QueueRegistry } from '../../src/modules/jobs/queue-registry.js';
import { startApp, type TestApp } from '../support/harness.js';
import { QuotaDriver } from '../support/quota.js';

describe('the periodic quota drift check', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ api: true, worker: true });
  });
  afterAll(() => t.close());

  const checkedAt = async () => {
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    const match = metrics.match(/^govcloud_quota_drift_checked_timestamp_seconds (\S+)$/m);
    return { metrics, at: match ? Number(match[1]) : 0 };
  };

  it('is scheduled by the workers, runs as a job, and records its result as metrics', async () => {
    const queue = t.app.get(QueueRegistry).get(QueueName.Quota);
    let schedulers: Array<{ key?: string; name?: string }> = [];
    for (let i = 0; i < 50 && schedulers.length === 0; i++) {
      schedulers = await queue.getJobSchedulers();
      if (schedulers.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(schedulers.map((s) => s.key ?? s.name)).toContain(JobName.QuotaDriftCheck);

    // Drift on purpose, then run the job through the queue as the scheduler would.
    const q = new QuotaDriver(t);
    const tree = await t.world.city();
    await q.limits(tree.city.id, { gpu: 3 });
    await q.reserve(tree.city.id, { gpu: 2 });
    await t.dataSource.query('UPDATE department_quotas SET gpu_used = 3 WHERE department_id = $1', [
      tree.city.id,
    ]);
    const before = (await checkedAt()).at;
    await queue.add(JobName.QuotaDriftCheck, {});
    let after = await checkedAt();
    for (let i = 0; i < 100 && after.at <= before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await checkedAt();
    }
    expect(after.at).toBeGreaterThan(before);
    expect(after.metrics).toMatch(/^govcloud_quota_drift_differences\{counter="used"\} 1$/m);
    expect(after.metrics).toMatch(/^govcloud_quota_drift_differences\{counter="allocated"\} 0$/m);
    await t.dataSource.query('UPDATE department_quotas SET gpu_used = 2 WHERE department_id = $1', [
      tree.city.id,
    ]);
  });

  it('is scheduled again by the workers when Redis lost it (flushed or restarted)', async () => {
    const queue = t.app.get(QueueRegistry).get(QueueName.Quota);
    expect(await queue.getJobScheduler(JobName.QuotaDriftCheck)).toBeDefined();
    await queue.removeJobScheduler(JobName.QuotaDriftCheck);
    expect(await queue.getJobScheduler(JobName.QuotaDriftCheck)).toBeUndefined();
    let restored;
    for (let i = 0; i < 80 && !restored; i++) {
      await new Promise((r) => setTimeout(r, 500));
      restored = await queue.getJobScheduler(JobName.QuotaDriftCheck);
    }
    expect(restored).toMatchObject({ every: 5 * 60_000 });
  });

  it('keeps a bounded number of its finished runs, and brings a scheduler an older release made up to date', async () => {
    const queue = t.app.get(QueueRegistry).get(QueueName.Quota);
    const retention = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } };
    const scheduler = async () => (await queue.getJobScheduler(JobName.QuotaDriftCheck))?.template?.opts;
    expect(await scheduler()).toMatchObject(retention);
    // As an older release left it: no retention, so every run it ever made stays in Redis.
    await queue.upsertJobScheduler(
      JobName.QuotaDriftCheck,
      { every: 5 * 60_000 },
      { name: JobName.QuotaDriftCheck, data: {} },
    );
    expect((await scheduler())?.removeOnComplete).toBeUndefined();
    let upgraded;
    for (let i = 0; i < 80 && !upgraded?.removeOnComplete; i++) {
      await new Promise((r) => setTimeout(r, 500));
      upgraded = await scheduler();
    }
    expect(upgraded).toMatchObject(retention);
  });
});
