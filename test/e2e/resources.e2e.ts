import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { objectName } from '../../libs/drivers/index.js';
import { JOB_POLICIES, JobName, QueueName } from '../../src/modules/jobs/job-catalogue.js';
import { QueueRegistry } from '../../src/modules/jobs/queue-registry.js';
import { Pool } from '../../src/modules/provisioning/entities/pool.entity.js';
import { Resource } from '../../src/modules/provisioning/entities/resource.entity.js';
import { Provisioner } from '../../src/modules/provisioning/jobs/provisioner.service.js';
import { ResourceTransitions } from '../../src/modules/provisioning/resources/resource-transitions.js';
import { QuotaService } from '../../src/modules/quota/index.js';
import { SecretBox } from '../../src/modules/provisioning/pools/secret-box.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import {
  aResourceRequest,
  createPool,
  fakePool,
  fakePoolWorld,
  eventually,
  grantQuota,
  untilState,
} from '../support/provisioning.js';

describe('resources on a fake pool, through the API and the worker', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof fakePoolWorld>>['tree'];
  let tokens: Awaited<ReturnType<typeof fakePoolWorld>>['tokens'];
  let pool: { id: string; name: string };
  let fake: ReturnType<typeof fakePool>;

  beforeAll(async () => {
    t = await startApp({ api: true, worker: true });
    ({ tree, tokens, pool, fake } = await fakePoolWorld(t));
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  const request = (body: Record<string, unknown>, token = tokens.deptAdmin, key?: string) => {
    const req = t.http().post('/api/v1/resources').set(bearer(token));
    if (key) req.set('Idempotency-Key', key);
    return req.send({ poolId: pool.id, ...body });
  };
  const ledger = (resourceId: string) =>
    t.dataSource.query(`SELECT action, vcpu FROM quota_ledger WHERE resource_id = $1 ORDER BY id`, [
      resourceId,
    ]);
  const allocated = async () =>
    (await t.dataSource.getRepository(Pool).findOneByOrFail({ id: pool.id })).allocated;

  it('request → queued → provisioning → running, one object with our labels, quota reserved', async () => {
    const res = await request(aResourceRequest({ labels: { app: 'census' } })).expect(202);
    expect(res.body).toMatchObject({ state: 'queued', desiredState: 'running', poolId: pool.id });
    expect(res.body.idempotencyKey).toBeUndefined();
    const running = await untilState(t, tokens.deptAdmin, res.body.id, 'running');
    expect(
      running.events.map((e: { fromState: string; toState: string }) => `${e.fromState}→${e.toState}`),
    ).toEqual(['null→requested', 'requested→queued', 'queued→provisioning', 'provisioning→running']);
    // Provisioning is dated when the driver was called, though recorded with the arrival after it.
    const times = running.events.map((e: { occurredAt: string }) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(
      running.events.every((e: { spec: unknown; type: string }) => e.type === 'transition' && e.spec),
    ).toBe(true);
    const objects = (await fake.pool.objects()).filter((o) => o.resourceId === res.body.id);
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({ name: objectName(res.body.id), phase: 'running' });
    expect(objects[0].labels).toMatchObject({
      app: 'census',
      'govcloud.io/resource-id': res.body.id,
      'govcloud.io/department': tree.dept.code,
    });
    expect(await ledger(res.body.id)).toEqual([
      { action: 'reserve', vcpu: '2' },
      { action: 'commit', vcpu: '0' },
    ]);
    const audit = await t
      .http()
      .get(`/api/v1/audit?targetType=resource&targetId=${res.body.id}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(
      ['resource.requested', 'resource.queued', 'resource.provisioning', 'resource.running'].sort(),
    );
  });

  it('dates provisioning when the driver was called, though a quick pool has it recorded with the arrival', async () => {
    await fake.pool.configure({ latencyMs: 300 });
    try {
      const { body } = await request(aResourceRequest()).expect(202);
      const running = await untilState(t, tokens.deptAdmin, body.id, 'running');
      const at = (to: string) =>
        Date.parse(running.events.find((e: { toState: string }) => e.toState === to).occurredAt);
      expect(at('running') - at('provisioning')).toBeGreaterThanOrEqual(300);
      expect(at('provisioning')).toBeGreaterThanOrEqual(at('queued'));
      // Its audit entry is dated with it, not with the transaction that wrote both steps.
      const audit = await t
        .http()
        .get(`/api/v1/audit?targetType=resource&targetId=${body.id}&action=resource.provisioning`)
        .set(bearer(tokens.auditor))
        .expect(200);
      expect(audit.body.items).toHaveLength(1);
      expect(Date.parse(audit.body.items[0].at)).toBe(at('provisioning'));
    } finally {
      await fake.pool.configure({ latencyMs: 0 });
    }
  });

  it('keeps a resize made during the driver call before the provisioning it dates back', async () => {
    await fake.pool.configure({ latencyMs: 400 });
    try {
      const { body } = await request(aResourceRequest()).expect(202);
      // The job holds the resource's lock from before it reads the resource until its moves are written.
      await eventually('the worker on the resource', async () => {
        const [{ held }] = await t.dataSource.query(
          `SELECT count(*)::int AS held FROM pg_locks
           WHERE locktype = 'advisory' AND granted
             AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1::uuid::text, 26467)`,
          [body.id],
        );
        return held > 0 ? true : undefined;
      });
      await t
        .http()
        .patch(`/api/v1/resources/${body.id}`)
        .set(bearer(tokens.deptAdmin))
        .send({ spec: { vcpu: 3 } })
        .expect(202);
      const running = await untilState(t, tokens.deptAdmin, body.id, 'running');
      expect(running.events.map((e: { type: string; toState: string }) => `${e.type} ${e.toState}`)).toEqual([
        'transition requested',
        'transition queued',
        'resized queued',
        'transition provisioning',
        'transition running',
      ]);
      const times = running.events.map((e: { occurredAt: string }) => Date.parse(e.occurredAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    } finally {
      await fake.pool.configure({ latencyMs: 0 });
    }
  });

  it('stops, starts, resizes and deletes; quota and pool capacity come back exactly once', async () => {
    const before = await allocated();
    const { body } = await request(aResourceRequest()).expect(202);
    await untilState(t, tokens.deptAdmin, body.id, 'running');
    expect((await allocated()).vcpu).toBe(before.vcpu + 2);

    await t.http().post(`/api/v1/resources/${body.id}/stop`).set(bearer(tokens.deptAdmin)).expect(202);
    await untilState(t, tokens.deptAdmin, body.id, 'stopped');
    expect((await fake.pool.objects()).find((o) => o.resourceId === body.id)?.phase).toBe('stopped');
    // Stopping a stopped resource changes nothing and queues nothing, as starting a running one.
    const jobs = async () =>
      (
        await t.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox_messages WHERE payload->'resourceIds' ? $1`,
          [body.id],
        )
      )[0].n;
    const queued = await jobs();
    const again = await t
      .http()
      .post(`/api/v1/resources/${body.id}/stop`)
      .set(bearer(tokens.deptAdmin))
      .expect(202);
    expect(again.body).toMatchObject({ state: 'stopped', desiredState: 'stopped' });
    expect(await jobs()).toBe(queued);

    const resized = await t
      .http()
      .patch(`/api/v1/resources/${body.id}`)
      .set(bearer(tokens.deptAdmin))
      .send({ spec: { vcpu: 4, memoryGiB: 8 } })
      .expect(202);
    expect(resized.body.spec).toMatchObject({ vcpu: 4, memoryGiB: 8, storageGiB: 40 });
    expect((await allocated()).vcpu).toBe(before.vcpu + 4);
    expect((await ledger(body.id)).filter((e: { action: string }) => e.action === 'adjust')).toEqual([
      { action: 'adjust', vcpu: '2' },
    ]);

    await t.http().post(`/api/v1/resources/${body.id}/start`).set(bearer(tokens.deptAdmin)).expect(202);
    const running = await untilState(t, tokens.deptAdmin, body.id, 'running');
    expect(running.events.find((e: { type: string }) => e.type === 'resized')).toMatchObject({
      fromState: 'stopped',
      toState: 'stopped',
      spec: { vcpu: 4, memoryGiB: 8 },
    });
    expect((await fake.pool.objects()).find((o) => o.resourceId === body.id)?.spec).toMatchObject({
      vcpu: 4,
    });

    const deleting = await t
      .http()
      .delete(`/api/v1/resources/${body.id}`)
      .set(bearer(tokens.deptAdmin))
      .expect(202);
    expect(deleting.body.state).toBe('deleting');
    await t.http().delete(`/api/v1/resources/${body.id}`).set(bearer(tokens.deptAdmin)).expect(202);
    const deleted = await untilState(t, tokens.deptAdmin, body.id, 'deleted');
    expect(deleted.events.at(-1)).toMatchObject({ fromState: 'deleting', toState: 'deleted' });
    expect((await fake.pool.objects()).filter((o) => o.resourceId === body.id)).toEqual([]);
    expect((await ledger(body.id)).filter((e: { action: string }) => e.action === 'release')).toEqual([
      { action: 'release', vcpu: '-4' },
    ]);
    expect(await allocated()).toEqual(before);
    await t.http().delete(`/api/v1/resources/${body.id}`).set(bearer(tokens.deptAdmin)).expect(202);
    expect(await fake.pool.createCount(body.id)).toBe(1);

    // Each step audited with what changed, in the name of whoever made it.
    const audit: Array<{ action: string; actor_name: string; before: unknown; after: unknown }> =
      await t.dataSource.query(
        `SELECT action, actor_name, before, after FROM audit_entries
         WHERE target_type = 'resource' AND target_id = $1 ORDER BY id`,
        [body.id],
      );
    const deptAdmin = audit.find((e) => e.action === 'resource.requested')!.actor_name;
    expect(audit.map((e) => [e.action, e.actor_name === deptAdmin ? 'owner' : e.actor_name])).toEqual([
      ['resource.requested', 'owner'],
      ['resource.queued', 'owner'],
      ['resource.provisioning', 'system'],
      ['resource.running', 'system'],
      ['resource.stop', 'owner'],
      ['resource.stopped', 'system'],
      ['resource.resize', 'owner'],
      ['resource.start', 'owner'],
      ['resource.running', 'system'],
      ['resource.deleting', 'owner'],
      ['resource.deleted', 'system'],
    ]);
    expect(audit[1]).toMatchObject({
      before: { state: 'requested' },
      after: { state: 'queued', reason: expect.stringMatching(/^placed on pool /) },
    });
    expect(audit[6]).toMatchObject({
      before: { spec: { vcpu: 2 } },
      after: { spec: { vcpu: 4, memoryGiB: 8 }, reason: 'resize requested' },
    });
    expect(audit[10]).toMatchObject({
      before: { state: 'deleting' },
      after: { state: 'deleted', reason: 'object removed' },
    });

    // Deleted is a state: the row stays with its history, and the database refuses to remove it.
    await expect(t.dataSource.query(`DELETE FROM resources WHERE id = $1`, [body.id])).rejects.toThrow(
      /resources are kept with their history: DELETE refused/,
    );
    await expect(t.dataSource.query(`TRUNCATE resources CASCADE`)).rejects.toThrow(
      /resources are kept with their history: TRUNCATE refused/,
    );
  });

  it('stop cancels a start the worker has not done yet, as start cancels a stop: the last word wins', async () => {
    const { body } = await request(aResourceRequest()).expect(202);
    await untilState(t, tokens.deptAdmin, body.id, 'running');
    await t.http().post(`/api/v1/resources/${body.id}/stop`).set(bearer(tokens.deptAdmin)).expect(202);
    await untilState(t, tokens.deptAdmin, body.id, 'stopped');
    await fake.pool.pause();
    try {
      await t.http().post(`/api/v1/resources/${body.id}/start`).set(bearer(tokens.deptAdmin)).expect(202);
      const stopped = await t
        .http()
        .post(`/api/v1/resources/${body.id}/stop`)
        .set(bearer(tokens.deptAdmin))
        .expect(202);
      expect(stopped.body).toMatchObject({ state: 'stopped', desiredState: 'stopped' });
    } finally {
      await fake.pool.resume();
    }
    await eventually('both jobs done', async () => {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox_messages WHERE payload->'resourceIds' ? $1 AND done_at IS NULL`,
        [body.id],
      );
      return n === 0 ? true : undefined;
    });
    const after = await t
      .http()
      .get(`/api/v1/resources/${body.id}`)
      .set(bearer(tokens.deptAdmin))
      .expect(200);
    expect(after.body).toMatchObject({ state: 'stopped', desiredState: 'stopped' });
    expect((await fake.pool.objects()).find((o) => o.resourceId === body.id)?.phase).toBe('stopped');
    const audit = await t.dataSource.query(
      `SELECT action FROM audit_entries WHERE target_id = $1 AND action IN ('resource.start', 'resource.stop') ORDER BY id`,
      [body.id],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'resource.stop',
      'resource.start',
      'resource.stop',
    ]);
  });

  it('records the spec the resource has when the worker moves it, not the one its job read before a resize', async () => {
    await fake.pool.pause();
    let id: string;
    try {
      const { body } = await request(aResourceRequest()).expect(202);
      id = body.id;
      // The worker has read the resource (vcpu 2) and hangs in the driver call while the owner resizes.
      await untilState(t, tokens.deptAdmin, id, 'provisioning');
      await t
        .http()
        .patch(`/api/v1/resources/${id}`)
        .set(bearer(tokens.deptAdmin))
        .send({ spec: { vcpu: 3 } })
        .expect(202);
    } finally {
      await fake.pool.resume();
    }
    const running = await untilState(t, tokens.deptAdmin, id, 'running');
    // Billing meters each event's spec from its time on: after the resize, every event says vcpu 3.
    const events: Array<{ type: string; toState: string; spec: { vcpu: number } }> = running.events;
    const resized = events.findIndex((e) => e.type === 'resized');
    expect(events.slice(resized).map((e) => `${e.type}:${e.toState}:${e.spec.vcpu}`)).toEqual([
      'resized:provisioning:3',
      'transition:running:3',
    ]);
  });

  it('refuses a resize beyond quota or pool capacity with 409, changing nothing', async () => {
    const { body } = await request(aResourceRequest()).expect(202);
    const res = await t
      .http()
      .patch(`/api/v1/resources/${body.id}`)
      .set(bearer(tokens.deptAdmin))
      .send({ spec: { vcpu: 256 } })
      .expect(409);
    expect(res.body.message).toMatch(/vcpu/);
    const back = await t.http().get(`/api/v1/resources/${body.id}`).set(bearer(tokens.deptAdmin)).expect(200);
    expect(back.body.spec.vcpu).toBe(2);
  });

  describe('Idempotency-Key', () => {
    it('answers the same resource for the same key and body, 409 for another body', async () => {
      const body = aResourceRequest();
      const first = await request(body, tokens.deptAdmin, 'key-1-' + body.name).expect(202);
      const second = await request(body, tokens.deptAdmin, 'key-1-' + body.name).expect(202);
      expect(second.body.id).toBe(first.body.id);
      const other = await request(
        { ...body, spec: { ...body.spec, vcpu: 3 } },
        tokens.deptAdmin,
        'key-1-' + body.name,
      ).expect(409);
      expect(other.body.message).toMatch(/Idempotency-Key/);
      const [{ count }] = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM resources WHERE name = $1`,
        [body.name],
      );
      expect(count).toBe(1);
    });

    it('makes one resource of concurrent requests with one key', async () => {
      const body = aResourceRequest();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => request(body, tokens.deptAdmin, 'race-' + body.name)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(202));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      const reserves = await t.dataSource.query(
        `SELECT count(*)::int AS count FROM quota_ledger WHERE resource_id = $1 AND action = 'reserve'`,
        [answers[0].body.id],
      );
      expect(reserves[0].count).toBe(1);
    });

    it('refuses a malformed key', async () => {
      const res = await request(aResourceRequest(), tokens.deptAdmin, 'k'.repeat(201)).expect(400);
      expect(res.body.message).toMatch(/^Idempotency-Key/);
    });
  });

  describe('failures', () => {
    it('retries a retryable driver error with backoff, then runs, with one object', async () => {
      await fake.pool.failNext(2);
      const { body } = await request(aResourceRequest()).expect(202);
      await untilState(t, tokens.deptAdmin, body.id, 'running', 30_000);
      expect(await fake.pool.createCount(body.id)).toBe(1);
    });

    it('fails after the last attempt when a retryable error persists, keeping its quota and capacity until deleted', async () => {
      const attempts = JOB_POLICIES[JobName.ResourceConverge].attempts;
      const flaky = await createPool(t, tokens.operator);
      const control = fakePool(flaky.id);
      try {
        await control.pool.failNext(attempts);
        const { body } = await request({ ...aResourceRequest(), poolId: flaky.id }).expect(202);
        const [{ id: jobId }] = await t.dataSource.query(
          `SELECT id FROM outbox_messages WHERE payload->'resourceIds' ? $1`,
          [body.id],
        );
        // The real retries, with their backoff cut short: each delayed attempt is promoted at once.
        const queue = t.app.get(QueueRegistry).get(QueueName.Provisioning);
        const failed = await eventually(
          'the last attempt',
          async () => {
            const job = await queue.getJob(jobId);
            if (job && (await job.isDelayed())) await job.promote();
            const res = await t.http().get(`/api/v1/resources/${body.id}`).set(bearer(tokens.deptAdmin));
            // The handler commits 'failed' before BullMQ records the attempt: wait for both.
            return res.body.state === 'failed' && (await job?.isFailed()) ? res.body : undefined;
          },
          60_000,
        );
        expect((await queue.getJob(jobId))?.attemptsMade).toBe(attempts);
        expect(failed.failureReason).toMatch(/^Unavailable: /);
        expect(failed.events.at(-1)).toMatchObject({
          fromState: 'provisioning',
          toState: 'failed',
          reason: failed.failureReason,
        });
        const [outbox] = await t.dataSource.query(
          `SELECT done_at, last_error FROM outbox_messages WHERE id = $1`,
          [jobId],
        );
        expect(outbox.done_at).not.toBeNull();
        expect(outbox.last_error).toBe(failed.failureReason);
        expect(await control.pool.createCount(body.id)).toBe(0);
        // A failed resource keeps what it was admitted with, so a retry needs no new admission.
        expect(await ledger(body.id)).toEqual([{ action: 'reserve', vcpu: '2' }]);
        const [{ allocated }] = await t.dataSource.query(`SELECT allocated FROM pools WHERE id = $1`, [
          flaky.id,
        ]);
        expect(allocated).toMatchObject({ vcpu: 2, memoryGiB: 4, storageGiB: 40 });

        await t.http().delete(`/api/v1/resources/${body.id}`).set(bearer(tokens.deptAdmin)).expect(202);
        await untilState(t, tokens.deptAdmin, body.id, 'deleted');
        expect((await ledger(body.id)).map((e: { action: string }) => e.action)).toEqual([
          'reserve',
          'release',
        ]);
        const [after] = await t.dataSource.query(`SELECT allocated FROM pools WHERE id = $1`, [flaky.id]);
        expect(after.allocated).toMatchObject({ vcpu: 0, memoryGiB: 0, storageGiB: 0 });
      } finally {
        await control.close();
      }
    });

    it('fails at once on a terminal driver error, keeps the reason and the last error; retry recovers', async () => {
      const broken = await createPool(t, tokens.operator);
      const box = t.app.get(SecretBox);
      await t.dataSource
        .getRepository(Pool)
        .createQueryBuilder()
        .update()
        .set({ connectionSealed: box.seal('{not json', broken.id) })
        .where('id = :id', { id: broken.id })
        .execute();
      const { body } = await request({ ...aResourceRequest(), poolId: broken.id }).expect(202);
      const failed = await untilState(t, tokens.deptAdmin, body.id, 'failed');
      expect(failed.failureReason).toMatch(/^Misconfigured: /);
      // The pool's driver could not even be made: the resource never reached provisioning.
      expect(failed.events.at(-1)).toMatchObject({ fromState: 'queued', toState: 'failed' });
      const [outbox] = await t.dataSource.query(
        `SELECT done_at, last_error FROM outbox_messages WHERE payload->'resourceIds' ? $1`,
        [body.id],
      );
      expect(outbox.done_at).not.toBeNull();
      expect(outbox.last_error).toMatch(/Misconfigured/);

      await t
        .http()
        .patch(`/api/v1/pools/${broken.id}`)
        .set(bearer(tokens.operator))
        .send({ connection: '{"latencyMs":0}' })
        .expect(200);
      // A failed resource may be resized before its retry (a smaller size may be what lets it through).
      await t
        .http()
        .patch(`/api/v1/resources/${body.id}`)
        .set(bearer(tokens.deptAdmin))
        .send({ spec: { vcpu: 1 } })
        .expect(202);
      await t.http().post(`/api/v1/resources/${body.id}/retry`).set(bearer(tokens.deptAdmin)).expect(202);
      const running = await untilState(t, tokens.deptAdmin, body.id, 'running');
      expect(running.events.map((e: { toState: string }) => e.toState).slice(-5)).toEqual([
        'failed',
        'failed',
        'queued',
        'provisioning',
        'running',
      ]);
      expect(running.events.at(-1).spec.vcpu).toBe(1);
      const mended = fakePool(broken.id);
      try {
        expect((await mended.pool.objects())[0].spec).toMatchObject({ vcpu: 1 });
      } finally {
        await mended.close();
      }
    });

    it.each([
      ['DELETE', (id: string) => t.http().delete(`/api/v1/resources/${id}`)],
      // The owner asked for the resource to go: a retry resumes the delete, it does not bring it back.
      ['POST retry', (id: string) => t.http().post(`/api/v1/resources/${id}/retry`)],
    ])(
      'leaves a delete that fails after its move (rolled back) on the last attempt failed, so %s retries it',
      async (_how, again) => {
        const { body } = await request(aResourceRequest()).expect(202);
        await untilState(t, tokens.deptAdmin, body.id, 'running');
        const before = await allocated();
        // Deleting without a job, so that this test runs the job's last attempt itself.
        const resource = await t.dataSource.getRepository(Resource).findOneByOrFail({ id: body.id });
        await t.app
          .get(ResourceTransitions)
          .move(t.dataSource.manager, resource, 'deleting', 'deletion requested', {
            desiredState: 'deleted',
          });
        // The bookkeeping of the deleting → deleted move fails (a lost connection, say): all rolled back.
        const release = jest
          .spyOn(t.app.get(QuotaService), 'release')
          .mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
        try {
          await expect(
            t.app
              .get(Provisioner)
              .converge({ resourceIds: [body.id] }, { jobId: undefined, attempt: 8, lastAttempt: true }),
          ).rejects.toThrow('Connection terminated unexpectedly');
        } finally {
          release.mockRestore();
        }
        const failed = await t
          .http()
          .get(`/api/v1/resources/${body.id}`)
          .set(bearer(tokens.deptAdmin))
          .expect(200);
        expect(failed.body).toMatchObject({
          state: 'failed',
          failureReason: 'Connection terminated unexpectedly',
        });
        expect(failed.body.events.at(-1)).toMatchObject({ fromState: 'deleting', toState: 'failed' });
        // Its owner asked for it to go: no new size for it.
        await t
          .http()
          .patch(`/api/v1/resources/${body.id}`)
          .set(bearer(tokens.deptAdmin))
          .send({ spec: { vcpu: 1 } })
          .expect(409);

        const retried = await again(body.id).set(bearer(tokens.deptAdmin)).expect(202);
        expect(retried.body).toMatchObject({ state: 'deleting', desiredState: 'deleted' });
        const deleted = await untilState(t, tokens.deptAdmin, body.id, 'deleted');
        expect(deleted.events.map((e: { toState: string }) => e.toState).slice(-3)).toEqual([
          'failed',
          'deleting',
          'deleted',
        ]);
        expect((await ledger(body.id)).map((e: { action: string }) => e.action)).toEqual([
          'reserve',
          'commit',
          'release',
        ]);
        expect((await allocated()).vcpu).toBe(before.vcpu - 2);
      },
    );

    it('fails at once, as misconfigured, when the pool connection cannot be unsealed', async () => {
      const sealed = await createPool(t, tokens.operator);
      // Sealed for another pool (or under another SECRET_KEY): no retry can open it.
      await t.dataSource
        .getRepository(Pool)
        .update({ id: sealed.id }, { connectionSealed: t.app.get(SecretBox).seal('', randomUUID()) });
      const { body } = await request({ ...aResourceRequest(), poolId: sealed.id }).expect(202);
      const failed = await untilState(t, tokens.deptAdmin, body.id, 'failed', 10_000);
      expect(failed.failureReason).toMatch(/^Misconfigured: /);
      const [outbox] = await t.dataSource.query(
        `SELECT done_at FROM outbox_messages WHERE payload->'resourceIds' ? $1`,
        [body.id],
      );
      expect(outbox.done_at).not.toBeNull();
    });

    it('serves a pool again once its broken connection is mended: the worker does not keep a driver it closed', async () => {
      // A kubeconfig that cannot be read passes the API's check (any non-empty text), so an operator can
      // break a working kubernetes pool and mend it; a fake pool's connection is broken here by hand.
      const mended = await createPool(t, tokens.operator);
      const first = await request({ ...aResourceRequest(), poolId: mended.id }).expect(202);
      await untilState(t, tokens.deptAdmin, first.body.id, 'running');
      const box = t.app.get(SecretBox);
      await t.dataSource
        .getRepository(Pool)
        .update({ id: mended.id }, { connectionSealed: box.seal('{not json', mended.id) });
      const second = await request({ ...aResourceRequest(), poolId: mended.id }).expect(202);
      expect((await untilState(t, tokens.deptAdmin, second.body.id, 'failed')).failureReason).toMatch(
        /^Misconfigured: /,
      );

      await t
        .http()
        .patch(`/api/v1/pools/${mended.id}`)
        .set(bearer(tokens.operator))
        .send({ connection: '' })
        .expect(200);
      await t
        .http()
        .post(`/api/v1/resources/${second.body.id}/retry`)
        .set(bearer(tokens.deptAdmin))
        .expect(202);
      await untilState(t, tokens.deptAdmin, second.body.id, 'running');
      await t.http().delete(`/api/v1/resources/${first.body.id}`).set(bearer(tokens.deptAdmin)).expect(202);
      await untilState(t, tokens.deptAdmin, first.body.id, 'deleted');
    });
  });

  describe('placement', () => {
    it('puts a critical department on self-managed pools only, and answers 409 with reasons when none fits', async () => {
      const critical = await t.world.department('department', tree.city, { critical: true });
      const unit = await t.world.department('unit', critical);
      await grantQuota(t, [critical, unit], { vcpu: 64, memoryGiB: 256, storageGiB: 2000, instances: 10 });
      const admin = await t.world.token('dept-admin', critical.id);
      const refused = await t
        .http()
        .post('/api/v1/resources')
        .set(bearer(admin))
        .send({ ...aResourceRequest(), departmentId: unit.id, poolId: pool.id })
        .expect(409);
      expect(refused.body.message).toMatch(/critical systems may only use self-managed pools/);

      const own = await createPool(t, tokens.operator, {
        tier: 'self-managed',
        capacity: { vcpu: 4, memoryGiB: 16, storageGiB: 100 },
      });
      const placed = await t
        .http()
        .post('/api/v1/resources')
        .set(bearer(admin))
        .send({ ...aResourceRequest(), departmentId: unit.id })
        .expect(202);
      expect(placed.body.critical).toBe(true);
      // Other suites' pools share the database: what matters is the tier placement chose.
      const chosen = await t.dataSource.getRepository(Pool).findOneByOrFail({ id: placed.body.poolId });
      expect(chosen.tier).toBe('self-managed');
      await t
        .http()
        .post('/api/v1/resources')
        .set(bearer(admin))
        .send({ ...aResourceRequest(), departmentId: unit.id, poolId: own.id })
        .expect(202);
      const full = await t
        .http()
        .post('/api/v1/resources')
        .set(bearer(admin))
        .send({
          ...aResourceRequest({ spec: { vcpu: 4, memoryGiB: 4, storageGiB: 10, image: 'x' } }),
          departmentId: unit.id,
          poolId: own.id,
        })
        .expect(409);
      expect(full.body.message).toMatch(new RegExp(`${own.name}: not enough vcpu \\(needs 4, [0-3] left\\)`));
    });

    it('never takes more of a pool than it has, however many requests race for it', async () => {
      const small = await createPool(t, tokens.operator, {
        capacity: { vcpu: 10, memoryGiB: 100, storageGiB: 1000 },
      });
      const answers = await Promise.all(
        Array.from({ length: 30 }, () =>
          request({
            ...aResourceRequest({ spec: { vcpu: 2, memoryGiB: 1, storageGiB: 1, image: 'x' } }),
            poolId: small.id,
          }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(5);
      expect(statuses.filter((s) => s === 409)).toHaveLength(25);
      const row = await t.dataSource.getRepository(Pool).findOneByOrFail({ id: small.id });
      expect(row.allocated).toMatchObject({ vcpu: 10, memoryGiB: 5, storageGiB: 5 });
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM resources WHERE pool_id = $1`,
        [small.id],
      );
      expect(n).toBe(5);
    });

    it('answers concurrent requests each on its own: refusals fail no one else, each is audited as its sender', async () => {
      const taken = aResourceRequest();
      await request(taken).expect(202);
      const send = (body: Record<string, unknown>, token: string, requestId: string) =>
        t
          .http()
          .post('/api/v1/resources')
          .set(bearer(token))
          .set('X-Request-Id', requestId)
          .send({ poolId: pool.id, ...body });
      const wave = `wave-${Date.now().toString(36)}`;
      const answers = await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => send(aResourceRequest(), tokens.deptAdmin, `${wave}-${i}`)),
        send({ ...aResourceRequest(), departmentId: tree.dept.id }, tokens.operator, `${wave}-operator`),
        send({ ...aResourceRequest(), name: taken.name }, tokens.deptAdmin, `${wave}-same-name`),
        send(
          aResourceRequest({ spec: { vcpu: 200, memoryGiB: 1, storageGiB: 1, image: 'x' } }),
          tokens.otherAdmin,
          `${wave}-too-big`,
        ),
        send({ ...aResourceRequest(), departmentId: tree.dept.id }, tokens.otherAdmin, `${wave}-not-mine`),
      ]);
      expect(answers.map((a) => a.status)).toEqual([...Array(7).fill(202), 409, 409, 404]);
      expect(answers[8].body.error).toBe('QuotaExceeded');
      const audited: Array<{ request_id: string; actor_name: string; target_id: string }> =
        await t.dataSource.query(
          `SELECT request_id, actor_name, target_id FROM audit_entries WHERE request_id LIKE $1 AND action = 'resource.queued'`,
          [`${wave}-%`],
        );
      expect(audited).toHaveLength(7);
      for (const answer of answers.slice(0, 7)) {
        const entry = audited.find((a) => a.target_id === answer.body.id)!;
        expect(entry.request_id).toBe(answer.headers['x-request-id']);
      }
      const operatorEntry = audited.find((a) => a.request_id === `${wave}-operator`)!;
      expect(operatorEntry.target_id).toBe(answers[6].body.id);
      expect(operatorEntry.actor_name).not.toBe(
        audited.find((a) => a.request_id === `${wave}-0`)!.actor_name,
      );
    });

    it('refuses a container on a VM-only pool type', async () => {
      const libvirt = await createPool(t, tokens.operator, { type: 'libvirt', connection: 'qemu:///system' });
      const res = await request({ ...aResourceRequest({ kind: 'container' }), poolId: libvirt.id }).expect(
        409,
      );
      expect(res.body.message).toMatch(/a libvirt pool runs no container/);
    });

    it('answers QuotaExceeded when the department has no room, and keeps nothing', async () => {
      const res = await request(
        aResourceRequest({ spec: { vcpu: 200, memoryGiB: 1, storageGiB: 1, image: 'x' } }),
        tokens.otherAdmin,
      ).expect(409);
      expect(res.body.error).toBe('QuotaExceeded');
    });
  });

  describe('scope and input', () => {
    it('lists with filters; dept-admins see their subtree only', async () => {
      const { body } = await request(
        aResourceRequest({
          kind: 'container',
          spec: { vcpu: 1, memoryGiB: 1, storageGiB: 0, image: 'nginx:1.27', replicas: 2, ports: [80] },
        }),
      ).expect(202);
      const list = await t
        .http()
        .get(`/api/v1/resources?kind=container&poolId=${pool.id}&departmentId=${tree.dept.id}`)
        .set(bearer(tokens.finance))
        .expect(200);
      expect(list.body.items.map((r: { id: string }) => r.id)).toContain(body.id);
      expect(list.body.items.every((r: { kind: string }) => r.kind === 'container')).toBe(true);
      const others = await t.http().get('/api/v1/resources').set(bearer(tokens.otherAdmin)).expect(200);
      expect(others.body.items.map((r: { id: string }) => r.id)).not.toContain(body.id);
      await t.http().get(`/api/v1/resources/${body.id}`).set(bearer(tokens.otherAdmin)).expect(404);
      await t.http().delete(`/api/v1/resources/${body.id}`).set(bearer(tokens.otherAdmin)).expect(404);
      await request({ ...aResourceRequest(), departmentId: tree.dept.id }, tokens.otherAdmin).expect(404);
    });

    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['bad kind', { kind: 'lambda' }, /kind/],
      ['zero vcpu', { spec: { vcpu: 0, memoryGiB: 1, storageGiB: 1, image: 'x' } }, /spec\.vcpu/],
      [
        'fractional memory',
        { spec: { vcpu: 1, memoryGiB: 1.5, storageGiB: 1, image: 'x' } },
        /spec\.memoryGiB/,
      ],
      ['missing image', { spec: { vcpu: 1, memoryGiB: 1, storageGiB: 1 } }, /spec\.image/],
      [
        'replicas on a vm',
        { spec: { vcpu: 1, memoryGiB: 1, storageGiB: 1, image: 'x', replicas: 2 } },
        /spec\.replicas/,
      ],
      [
        'bad port',
        { spec: { vcpu: 1, memoryGiB: 1, storageGiB: 1, image: 'x', ports: [70000] } },
        /spec\.ports/,
      ],
      ['reserved label', { labels: { 'govcloud.io/department': 'x' } }, /labels/],
      ['unknown field', { colour: 'red' }, /colour/],
      ['blank name', { name: '  ' }, /name/],
      ['unknown pool', { poolId: '00000000-0000-4000-8000-000000000000' }, /poolId/],
    ];
    it.each(cases)('400 for %s', async (_label, patch, field) => {
      const res = await request({ ...aResourceRequest(), ...patch }).expect(400);
      expect(res.body.message).toMatch(field);
    });

    it('409 for a second live resource with the same name in a department; a deleted one frees it', async () => {
      const body = aResourceRequest();
      const first = await request(body).expect(202);
      await request(body).expect(409);
      await untilState(t, tokens.deptAdmin, first.body.id, 'running');
      // The pool hangs, so the resource stays deleting: its name is still taken.
      await fake.pool.pause();
      try {
        await t.http().delete(`/api/v1/resources/${first.body.id}`).set(bearer(tokens.deptAdmin)).expect(202);
        await request(body).expect(409);
      } finally {
        await fake.pool.resume();
      }
      const deleted = await untilState(t, tokens.deptAdmin, first.body.id, 'deleted');
      // Written with the move to deleted; null while the resource lived.
      expect(deleted.deletedAt).toBe(deleted.updatedAt);
      expect(first.body.deletedAt).toBeNull();
      await request(body).expect(202);
    });
  });
});
