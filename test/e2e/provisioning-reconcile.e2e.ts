import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createDriver, objectName } from '../../libs/drivers/index.js';
import { loadConfig } from '../../src/config/config.js';
import { JobName, QueueName } from '../../src/modules/jobs/job-catalogue.js';
import { OutboxService } from '../../src/modules/jobs/outbox.service.js';
import { QueueRegistry } from '../../src/modules/jobs/queue-registry.js';
import { PoolDrivers } from '../../src/modules/provisioning/jobs/pool-drivers.js';
import { Provisioner } from '../../src/modules/provisioning/jobs/provisioner.service.js';
import { Reconciler } from '../../src/modules/provisioning/jobs/reconciler.service.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import {
  requestResource,
  createPool,
  eventually,
  fakePool,
  GENEROUS,
  grantQuota,
  reconcilePass,
  untilState,
} from '../support/provisioning.js';

describe('reconciler: drift between the database and a pool', () => {
  let t: TestApp;
  let token: string;
  let pool: { id: string };
  let fake: ReturnType<typeof fakePool>;
  let reconciler: Reconciler;

  beforeAll(async () => {
    t = await startApp({ api: true, worker: true });
    const tree = await t.world.city();
    await grantQuota(t, [tree.city, tree.district, tree.dept], GENEROUS);
    token = await t.world.token('dept-admin', tree.dept.id);
    pool = await createPool(t, await t.world.token('operator'));
    fake = fakePool(pool.id);
    reconciler = t.app.get(Reconciler);
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  /** A resource asked for on our pool: its id, at once. */
  const request = async () => (await requestResource(t, token, pool.id)).id;
  const running = async () => {
    const id = await request();
    await untilState(t, token, id, 'running');
    return id;
  };
  const pass = (poolId = pool.id) => reconcilePass(reconciler, poolId);
  const objectOf = async (id: string) => (await fake.pool.objects()).find((o) => o.resourceId === id);
  const events = (action: string) =>
    t.dataSource.query(
      `SELECT resource_id, object_name FROM reconcile_events WHERE pool_id = $1 AND action = $2`,
      [pool.id, action],
    );

  it('recreates a running object deleted behind our back, and records it', async () => {
    const id = await running();
    expect(await fake.pool.remove(objectName(id))).toBe(true);
    await pass();
    const back = await eventually('the object back', () => objectOf(id));
    expect(back.phase).toBe('running');
    expect(await fake.pool.createCount(id)).toBe(2);
    expect(await events('recreated')).toContainEqual({ resource_id: id, object_name: null });
    const after = await t.http().get(`/api/v1/resources/${id}`).set(bearer(token)).expect(200);
    expect(after.body.state).toBe('running');
  });

  it('brings back a stopped one stopped', async () => {
    const id = await running();
    await t.http().post(`/api/v1/resources/${id}/stop`).set(bearer(token)).expect(202);
    await untilState(t, token, id, 'stopped');
    await fake.pool.remove(objectName(id));
    await pass();
    await eventually('the object back, stopped', async () =>
      (await objectOf(id))?.phase === 'stopped' ? true : undefined,
    );
  });

  it('reports an object with our labels that no resource owns, once, and leaves it alone', async () => {
    const stray = randomUUID();
    const driver = createDriver(
      { id: pool.id, type: 'fake', connection: '' },
      { redis: loadConfig().FAKE_POOL_REDIS_URL ?? loadConfig().REDIS_URL },
    );
    await driver.ensure({
      id: stray,
      kind: 'vm',
      department: { id: randomUUID(), code: 'ghost' },
      spec: { vcpu: 1, memoryGiB: 1, storageGiB: 1, image: 'x' },
    });
    await driver.close();
    const first = await pass();
    const second = await pass();
    expect(first.recreated).toEqual([]);
    // Reported in one pass (ours, or a scheduled one just before), never twice.
    expect([...first.orphans, ...second.orphans].length).toBeLessThanOrEqual(1);
    expect(second.orphans).toEqual([]);
    expect(await events('orphan')).toEqual([{ resource_id: null, object_name: objectName(stray) }]);
    expect(await objectOf(stray)).toBeDefined();
  });

  it('does not report as an orphan the object of a resource deleted while the pass ran', async () => {
    const id = await running();
    const drivers = t.app.get(PoolDrivers);
    const forPool = drivers.forPool.bind(drivers);
    // The pass lists the pool, then the owner deletes the resource before the pass reads the database.
    const spy = jest.spyOn(drivers, 'forPool').mockImplementation((p) => {
      const driver = forPool(p);
      if (p.id !== pool.id) return driver;
      return Object.assign(Object.create(driver), {
        list: async () => {
          const listed = await driver.list();
          spy.mockRestore();
          await t.http().delete(`/api/v1/resources/${id}`).set(bearer(token)).expect(202);
          await untilState(t, token, id, 'deleted');
          return listed;
        },
      });
    });
    try {
      const report = await pass();
      expect(report.listed).toBeGreaterThan(0);
      expect(report.orphans).not.toContain(objectName(id));
    } finally {
      spy.mockRestore();
    }
    expect((await events('orphan')).map((e: { object_name: string }) => e.object_name)).not.toContain(
      objectName(id),
    );
  });

  it('drives again a resource left deleting with no job, and gives its quota back once', async () => {
    const id = await running();
    const used = async () =>
      (
        await t.dataSource.query(
          `SELECT COALESCE(SUM(vcpu), 0)::int AS vcpu FROM quota_ledger WHERE resource_id = $1`,
          [id],
        )
      )[0].vcpu as number;
    expect(await used()).toBeGreaterThan(0);
    // As the API's DELETE leaves it, but its job ended without moving it on (it stalled out, or the
    // database was away when it ended): DELETE again does nothing to a deleting resource.
    await t.dataSource.query(
      `UPDATE resources SET state = 'deleting', desired_state = 'deleted', updated_at = now() - interval '2 minutes'
       WHERE id = $1`,
      [id],
    );
    await t.http().delete(`/api/v1/resources/${id}`).set(bearer(token)).expect(202);
    const report = await pass();
    expect(report.redriven).toEqual([id]);
    await untilState(t, token, id, 'deleted');
    expect(await objectOf(id)).toBeUndefined();
    expect(await used()).toBe(0);
    expect(await events('redriven')).toEqual([{ resource_id: id, object_name: null }]);
    // Operators and auditors read the findings through the API, newest first, by action.
    const listed = await t
      .http()
      .get(`/api/v1/pools/${pool.id}/reconcile-events?action=redriven`)
      .set(bearer(await t.world.token('auditor')))
      .expect(200);
    expect(listed.body).toMatchObject({
      total: 1,
      items: [{ action: 'redriven', resourceId: id, poolId: pool.id }],
    });
    expect(listed.body.items[0].detail).toBe('deleting with no job pending for 60 s: converge queued');
    const bad = await t
      .http()
      .get(`/api/v1/pools/${pool.id}/reconcile-events?action=vanished`)
      .set(bearer(await t.world.token('operator')))
      .expect(400);
    expect(bad.body.message).toMatch(/^action/);
    // Settled now: the next pass leaves it alone.
    expect((await pass()).redriven).toEqual([]);
  });

  it('leaves alone a resource whose job is still pending, however long ago it moved', async () => {
    const id = await running();
    await t.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE resources SET state = 'deleting', desired_state = 'deleted', updated_at = now() - interval '2 minutes'
         WHERE id = $1`,
        [id],
      );
      await t.app.get(OutboxService).enqueue(m, JobName.ResourceConverge, { resourceIds: [id] });
    });
    // Either its job is still pending, or it has run and the resource is deleted: never driven twice.
    expect((await pass()).redriven).not.toContain(id);
    await untilState(t, token, id, 'deleted');
  });

  it('drives again a running resource whose resize never reached its object', async () => {
    const id = await running();
    // As a resize leaves it when its job ended without applying it (it stalled out, say).
    await t.dataSource.query(
      `UPDATE resources SET spec = spec || '{"vcpu": 3}', spec_version = spec_version + 1,
         updated_at = now() - interval '2 minutes' WHERE id = $1`,
      [id],
    );
    expect((await pass()).redriven).toEqual([id]);
    await eventually('the object resized', async () =>
      (await objectOf(id))?.spec.vcpu === 3 ? true : undefined,
    );
    const [event] = await t.dataSource.query(
      `SELECT detail FROM reconcile_events WHERE resource_id = $1 AND action = 'redriven'`,
      [id],
    );
    expect(event.detail).toBe(
      'running without its resized spec with no job pending for 60 s: converge queued',
    );
    expect((await pass()).redriven).not.toContain(id);
  });

  it('runs one pass at a time across workers, and is scheduled as a repeatable job', async () => {
    await fake.pool.pause();
    const first = reconciler.reconcileAll([pool.id]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await reconciler.reconcileAll([pool.id])).toBeNull();
    await fake.pool.resume();
    await first;
    const schedulers = await t.app.get(QueueRegistry).get(QueueName.Reconcile).getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('pool.reconcile');
  });

  describe('an object the pool moved behind our back', () => {
    /** The reconcile event of the resource's redrive, by this pass or a scheduled one. */
    const redriven = (id: string) =>
      eventually('the redrive recorded', async () => {
        const rows: Array<{ detail: string }> = await t.dataSource.query(
          `SELECT detail FROM reconcile_events WHERE resource_id = $1 AND action = 'redriven'`,
          [id],
        );
        return rows.length > 0 ? rows.map((r) => r.detail) : undefined;
      });
    const phaseOf = (id: string, phase: string) => async () =>
      (await objectOf(id))?.phase === phase ? true : undefined;

    it('starts again a running resource the pool reports stopped, and stops a stopped one it reports running', async () => {
      const up = await running();
      const down = await running();
      await t.http().post(`/api/v1/resources/${down}/stop`).set(bearer(token)).expect(202);
      await untilState(t, token, down, 'stopped');
      await fake.pool.setPhase(up, 'stopped');
      await fake.pool.setPhase(down, 'running');
      await pass();
      expect(await redriven(up)).toEqual(['running, but the pool reports it stopped: converge queued']);
      expect(await redriven(down)).toEqual(['stopped, but the pool reports it running: converge queued']);
      await eventually('the running one started', phaseOf(up, 'running'));
      await eventually('the stopped one stopped', phaseOf(down, 'stopped'));
      // The resources never left where their owners want them: no transition, nothing to bill apart.
      const upEvents = (await untilState(t, token, up, 'running')).events;
      expect(upEvents.map((e: { toState: string }) => e.toState)).toEqual([
        'requested',
        'queued',
        'provisioning',
        'running',
      ]);
      expect(await fake.pool.createCount(up)).toBe(1);
      expect((await pass()).redriven).toEqual([]);
    });

    it('fails a running resource the pool reports failed, with what the pool said', async () => {
      const id = await running();
      await fake.pool.setPhase(id, 'failed');
      await pass();
      expect(await redriven(id)).toEqual([
        'running, but the pool reports it failed (no detail): converge queued',
      ]);
      const failed = await untilState(t, token, id, 'failed');
      expect(failed.failureReason).toBe(`Failed: ${objectName(id)}: failed`);
      // Failed is not settled: later passes leave it to its owner's retry.
      expect((await pass()).redriven).not.toContain(id);
    });

    it('leaves alone an object still coming up, and one whose resource is on its way elsewhere', async () => {
      const booting = await running();
      await fake.pool.setPhase(booting, 'pending');
      const stopping = await running();
      // As a stop leaves it while its job has powered the object off but not yet recorded the move.
      await t.dataSource.query(
        `UPDATE resources SET desired_state = 'stopped', updated_at = now() - interval '1 second' WHERE id = $1`,
        [stopping],
      );
      await fake.pool.setPhase(stopping, 'stopped');
      const report = await pass();
      expect(report.redriven).not.toContain(booting);
      expect(report.redriven).not.toContain(stopping);
      expect(await fake.pool.objects()).toContainEqual(
        expect.objectContaining({ resourceId: booting, phase: 'pending' }),
      );
      await fake.pool.setPhase(booting, 'running');
    });
  });

  describe('an object the pool has not brought up', () => {
    const read = async (id: string) =>
      (await t.http().get(`/api/v1/resources/${id}`).set(bearer(token)).expect(200)).body;

    it('stays provisioning while the pool reports it coming up, and is running once it is', async () => {
      await fake.pool.createAs('pending');
      let id: string;
      try {
        id = await request();
        const seen = await eventually('the pending object recorded', async () => {
          const r = await read(id);
          return r.observed?.phase === 'pending' ? r : undefined;
        });
        expect(seen.state).toBe('provisioning');
        // The job looks again after its backoff; its last attempt leaves the resource to the reconciler.
        await expect(
          t.app
            .get(Provisioner)
            .converge({ resourceIds: [id] }, { jobId: undefined, attempt: 8, lastAttempt: true }),
        ).resolves.toBe('success');
        expect((await read(id)).state).toBe('provisioning');
      } finally {
        await fake.pool.createAs('running');
      }
      await fake.pool.setPhase(id, 'running');
      const running = await untilState(t, token, id, 'running');
      expect(running.events.map((e: { toState: string }) => e.toState)).toEqual([
        'requested',
        'queued',
        'provisioning',
        'running',
      ]);
      expect(await fake.pool.createCount(id)).toBe(1);
    });

    it('fails when the pool reports it failed, with what the pool said, and runs on a retry once the object is up', async () => {
      await fake.pool.createAs('failed');
      let id: string;
      try {
        id = await request();
        const failed = await untilState(t, token, id, 'failed');
        expect(failed.failureReason).toBe(`Failed: ${objectName(id)}: failed`);
        expect(failed.events.map((e: { toState: string }) => e.toState)).not.toContain('running');
      } finally {
        await fake.pool.createAs('running');
      }
      await fake.pool.setPhase(id, 'running');
      await t.http().post(`/api/v1/resources/${id}/retry`).set(bearer(token)).expect(202);
      await untilState(t, token, id, 'running');
      expect(await fake.pool.createCount(id)).toBe(1);
    });
  });
});
