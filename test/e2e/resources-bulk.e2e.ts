import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueName } from '../../src/modules/jobs/job-catalogue.js';
import { QueueRegistry } from '../../src/modules/jobs/queue-registry.js';
import { Provisioner } from '../../src/modules/provisioning/jobs/provisioner.service.js';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';
import {
  aResourceRequest,
  createPool,
  eventually,
  fakePool,
  fakePoolWorld,
} from '../support/provisioning.js';

/** The events of a resource from its request to running, each once. */
const UP = ['null→requested', 'requested→queued', 'queued→provisioning', 'provisioning→running'];

describe('bulk resource requests (POST /api/v1/resources/bulk) and converge jobs over sets', () => {
  let t: TestApp;
  let tokens: Awaited<ReturnType<typeof fakePoolWorld>>['tokens'];
  let pool: { id: string; name: string };
  let fake: ReturnType<typeof fakePool>;

  beforeAll(async () => {
    t = await startApp({ api: true, worker: true });
    ({ tokens, pool, fake } = await fakePoolWorld(t));
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  const bulk = (body: Record<string, unknown>, key?: string, token = tokens.deptAdmin) => {
    const req = t.http().post('/api/v1/resources/bulk').set(bearer(token));
    if (key) req.set('Idempotency-Key', key);
    return req.send({ poolId: pool.id, ...aResourceRequest(), ...body });
  };
  const states = async (ids: string[]) =>
    (await t.dataSource.query(`SELECT state FROM resources WHERE id = ANY($1) ORDER BY name`, [ids])).map(
      (r: { state: string }) => r.state,
    );
  const allRunning = (ids: string[]) =>
    eventually('all running', async () =>
      (await states(ids)).every((s: string) => s === 'running') ? true : undefined,
    );
  const events = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT from_state, to_state FROM resource_events WHERE resource_id = $1 ORDER BY id`,
        [id],
      )
    ).map((e: { from_state: string | null; to_state: string }) => `${e.from_state}→${e.to_state}`);

  it('admits count resources named <name>-01 … on one pool; one job drives them all to running, each once', async () => {
    const name = unique('web');
    const requested = Date.now();
    const res = await bulk({ name, count: 12 }).expect(202);
    const items: Array<{ id: string; name: string; state: string; poolId: string }> = res.body.items;
    expect(items.map((r) => r.name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `${name}-${String(i + 1).padStart(2, '0')}`),
    );
    expect(items.every((r) => r.state === 'queued' && r.poolId === pool.id)).toBe(true);
    const ids = items.map((r) => r.id);
    // Time-ordered (UUIDv7): each begins with when it was admitted.
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBeGreaterThanOrEqual(requested);
      expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBeLessThanOrEqual(Date.now());
    }
    const jobs = await t.dataSource.query(
      `SELECT payload FROM outbox_messages WHERE payload->'resourceIds' ?| $1::text[]`,
      [ids],
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0].payload.resourceIds).toEqual(ids);

    await allRunning(ids);
    for (const id of ids) {
      expect(await fake.pool.createCount(id)).toBe(1);
      expect(await events(id)).toEqual(UP);
    }
    const ledger = await t.dataSource.query(
      `SELECT action, count(*)::int AS n FROM quota_ledger WHERE resource_id = ANY($1) GROUP BY action ORDER BY action`,
      [ids],
    );
    expect(ledger).toEqual([
      { action: 'commit', n: 12 },
      { action: 'reserve', n: 12 },
    ]);
    // Admission is audited in the requester's name, the worker's moves as the system's.
    const audit = await t.dataSource.query(
      `SELECT action, count(*)::int AS n, count(*) FILTER (WHERE actor_name = 'system')::int AS system
       FROM audit_entries WHERE target_id = ANY($1) GROUP BY action ORDER BY action`,
      [ids],
    );
    expect(audit).toEqual([
      { action: 'resource.provisioning', n: 12, system: 12 },
      { action: 'resource.queued', n: 12, system: 0 },
      { action: 'resource.requested', n: 12, system: 0 },
      { action: 'resource.running', n: 12, system: 12 },
    ]);
  });

  it('is all or none: quota or pool capacity short for the whole count answers 409 and keeps nothing', async () => {
    const name = unique('big');
    const taken = () =>
      t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM quota_ledger) AS entries,
                (SELECT sum(vcpu_used)::int FROM department_quotas) AS used,
                (SELECT json_agg(allocated ORDER BY created_at, id) FROM pools) AS allocated`,
      );
    const before = await taken();
    const large = await createPool(t, tokens.operator, {
      capacity: { vcpu: 100_000, memoryGiB: 100_000, storageGiB: 100_000, gpu: 0 },
    });
    // 60 × 20 vCPU: the pool has room, the department's quota (1000) has not.
    const short = await bulk({
      name,
      count: 60,
      poolId: large.id,
      spec: { vcpu: 20, memoryGiB: 1, storageGiB: 1, image: 'x' },
    }).expect(409);
    expect(short.body.error).toBe('QuotaExceeded');
    const small = await createPool(t, tokens.operator, {
      capacity: { vcpu: 5, memoryGiB: 1024, storageGiB: 20_000, gpu: 0 },
    });
    const full = await bulk({ name, count: 3, poolId: small.id }).expect(409);
    expect(full.body.message).toMatch(/not enough vcpu \(needs 6, 5 left\)/);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM resources WHERE starts_with(name, $1)`,
      [name],
    );
    expect(n).toBe(0);
    const after = await taken();
    expect(after[0]).toMatchObject({ entries: before[0].entries, used: before[0].used });
    // The pools as they were, and the two new ones with nothing allocated.
    expect(after[0].allocated.slice(0, -2)).toEqual(before[0].allocated);
    expect(after[0].allocated.slice(-2).map((a: Record<string, number>) => a.vcpu ?? 0)).toEqual([0, 0]);
  });

  it('answers the same items for the same key and body, 409 for another body or a single request with the key', async () => {
    const key = unique('bulk-key');
    const body = { name: unique('idem'), count: 3 };
    const first = await bulk(body, key).expect(202);
    const again = await bulk(body, key).expect(202);
    expect(again.body.items.map((r: { id: string }) => r.id)).toEqual(
      first.body.items.map((r: { id: string }) => r.id),
    );
    expect(again.body.items[0].idempotencyKey).toBeUndefined();
    await bulk({ ...body, count: 4 }, key).expect(409);
    await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(tokens.deptAdmin))
      .set('Idempotency-Key', key)
      .send({ poolId: pool.id, ...aResourceRequest() })
      .expect(409);
  });

  it('names the field of a bad request', async () => {
    for (const count of [0, 101, 2.5, '3', undefined]) {
      const res = await bulk({ count }).expect(400);
      expect(JSON.stringify(res.body)).toContain('count');
    }
    const long = await bulk({ name: 'n'.repeat(61), count: 2 }).expect(400);
    expect(JSON.stringify(long.body)).toContain('name');
    const key = await bulk({ count: 2 }, 'k'.repeat(197)).expect(400);
    expect(JSON.stringify(key.body)).toContain('Idempotency-Key');
    await bulk({ count: 2 }, undefined, tokens.finance).expect(403);
  });

  it('makes converge jobs with overlapping sets wait for each other’s locks: each resource moved once, its object made once', async () => {
    await fake.pool.pause();
    const res = await bulk({ name: unique('overlap'), count: 4 }).expect(202);
    const ids: string[] = res.body.items.map((r: { id: string }) => r.id);
    const provisioner = t.app.get(Provisioner);
    const context = { jobId: undefined, attempt: 1, lastAttempt: false };
    // The job admission queued holds the resources' locks, waiting on the paused pool.
    const locks = async (granted: boolean) =>
      (
        await t.dataSource.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted = $1
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [granted],
        )
      )[0].n as number;
    await eventually('the first job holding its locks', async () =>
      (await locks(true)) >= 4 ? true : undefined,
    );
    // Two more jobs with the same resources in other orders wait for those locks, not for the pool.
    const direct = [
      provisioner.converge({ resourceIds: [...ids].reverse() }, context),
      provisioner.converge({ resourceIds: [ids[2], ids[0]] }, context),
    ];
    await eventually('both waiting for a lock', async () => ((await locks(false)) === 2 ? true : undefined));
    await fake.pool.resume();
    await Promise.all(direct);
    await allRunning(ids);
    for (const id of ids) {
      expect(await fake.pool.createCount(id)).toBe(1);
      expect((await events(id)).filter((e: string) => e === 'provisioning→running')).toHaveLength(1);
    }
  });

  it('still runs a converge job queued before jobs carried sets (one resourceId)', async () => {
    const res = await bulk({ name: unique('legacy'), count: 1 }).expect(202);
    const [id] = res.body.items.map((r: { id: string }) => r.id);
    await allRunning([id]);
    await t.dataSource.query(`UPDATE resources SET desired_state = 'stopped' WHERE id = $1`, [id]);
    const legacy = { resourceId: id } as unknown as { resourceIds: string[] };
    await expect(
      t.app.get(Provisioner).converge(legacy, { jobId: undefined, attempt: 1, lastAttempt: true }),
    ).resolves.toBe('success');
    expect(await states([id])).toEqual(['stopped']);
    expect((await fake.pool.objects()).find((o) => o.resourceId === id)?.phase).toBe('stopped');
  });

  it('records the resources a job brought up when another fails retryably; the retry finishes the rest', async () => {
    await fake.pool.failNext(1);
    const res = await bulk({ name: unique('retry'), count: 3 }).expect(202);
    const ids: string[] = res.body.items.map((r: { id: string }) => r.id);
    await allRunning(ids);
    for (const id of ids) {
      expect(await fake.pool.createCount(id)).toBe(1);
      expect(await events(id)).toEqual(UP);
    }
    const [{ id: jobId }] = await t.dataSource.query(
      `SELECT id FROM outbox_messages WHERE payload->'resourceIds' ? $1`,
      [ids[0]],
    );
    // One attempt failed, the second succeeded.
    const job = await t.app.get(QueueRegistry).get(QueueName.Provisioning).getJob(jobId);
    expect(job?.attemptsMade).toBe(2);
    // The two the first attempt brought up were recorded then, a backoff (≥ 0.8 s) before the third.
    const running = (
      await t.dataSource.query(
        `SELECT occurred_at FROM resource_events WHERE resource_id = ANY($1) AND to_state = 'running'
         ORDER BY occurred_at`,
        [ids],
      )
    ).map((e: { occurred_at: Date }) => e.occurred_at.getTime());
    expect(running[2] - running[1]).toBeGreaterThan(500);
  });

  it('never fails a resource already where its owner wants it for a driver call that did not go through', async () => {
    const res = await bulk({ name: unique('settled'), count: 1 }).expect(202);
    const [id] = res.body.items.map((r: { id: string }) => r.id);
    await allRunning([id]);
    await fake.pool.failNext(1);
    await expect(
      t.app
        .get(Provisioner)
        .converge({ resourceIds: [id] }, { jobId: undefined, attempt: 8, lastAttempt: true }),
    ).resolves.toBe('skipped');
    expect(await states([id])).toEqual(['running']);
    expect((await events(id)).at(-1)).toBe('provisioning→running');
  });
});
