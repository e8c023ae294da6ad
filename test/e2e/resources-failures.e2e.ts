import { describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { JOB_POLICIES, JobName, QueueName } from '../../src/modules/jobs/job-catalogue.js';
import { QueueRegistry } from '../../src/modules/jobs/queue-registry.js';
import { Pool } from '../../src/modules/provisioning/entities/pool.entity.js';
import { Resource } from '../../src/modules/provisioning/entities/resource.entity.js';
import { Provisioner } from '../../src/modules/provisioning/jobs/provisioner.service.js';
import { ResourceTransitions } from '../../src/modules/provisioning/resources/resource-transitions.js';
import { QuotaService } from '../../src/modules/quota/index.js';
import { SecretBox } from '../../src/modules/provisioning/pools/secret-box.js';
import { bearer } from '../support/harness.js';
import {
  aResourceRequest,
  createPool,
  fakePool,
  eventually,
  resourcesOnFakePool,
  untilState,
} from '../support/provisioning.js';

const world = resourcesOnFakePool();
const { request, resize, ledger, allocated } = world;
/** Stores a pool's connection as given, behind the API's back (which refuses a broken one). */
const seal = (poolId: string, connection: string) =>
  world.t.dataSource
    .getRepository(Pool)
    .update({ id: poolId }, { connectionSealed: world.t.app.get(SecretBox).seal(connection, poolId) });

describe('resources on a fake pool, through the API and the worker', () => {
  describe('failures', () => {
    it('retries a retryable driver error with backoff, then runs, with one object', async () => {
      const { t, tokens, fake } = world;
      await fake.pool.failNext(2);
      const { body } = await request(aResourceRequest()).expect(202);
      await untilState(t, tokens.deptAdmin, body.id, 'running', 30_000);
      expect(await fake.pool.createCount(body.id)).toBe(1);
    });

    it('fails after the last attempt when a retryable error persists, keeping its quota and capacity until deleted', async () => {
      const { t, tokens } = world;
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
      const { t, tokens } = world;
      const broken = await createPool(t, tokens.operator);
      await seal(broken.id, '{not json');
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
      await resize(body.id, { vcpu: 1 }).expect(202);
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
      ['DELETE', (id: string) => world.t.http().delete(`/api/v1/resources/${id}`)],
      // The owner asked for the resource to go: a retry resumes the delete, it does not bring it back.
      ['POST retry', (id: string) => world.t.http().post(`/api/v1/resources/${id}/retry`)],
    ])(
      'leaves a delete that fails after its move (rolled back) on the last attempt failed, so %s retries it',
      async (_how, again) => {
        const { t, tokens } = world;
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
        await resize(body.id, { vcpu: 1 }).expect(409);

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
      const { t, tokens } = world;
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
      const { t, tokens } = world;
      // A kubeconfig that cannot be read passes the API's check (any non-empty text), so an operator can
      // break a working kubernetes pool and mend it; a fake pool's connection is broken here by hand.
      const mended = await createPool(t, tokens.operator);
      const first = await request({ ...aResourceRequest(), poolId: mended.id }).expect(202);
      await untilState(t, tokens.deptAdmin, first.body.id, 'running');
      await seal(mended.id, '{not json');
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

    it('tries a resize whose driver call failed again, until the object has the new size', async () => {
      const { t, tokens, fake } = world;
      const { body } = await request(aResourceRequest()).expect(202);
      await untilState(t, tokens.deptAdmin, body.id, 'running');
      await fake.pool.failNext(1);
      await resize(body.id, { vcpu: 3 }).expect(202);
      const object = await eventually('the object resized', async () => {
        const found = (await fake.pool.objects()).find((o) => o.resourceId === body.id);
        return found?.spec.vcpu === 3 ? found : undefined;
      });
      expect(object.phase).toBe('running');
      // The pool has it before the worker's record of it commits.
      const row = await eventually('the resize recorded', async () => {
        const [found] = await t.dataSource.query(
          `SELECT state, spec_version, applied_spec_version FROM resources WHERE id = $1`,
          [body.id],
        );
        return found.applied_spec_version === 2 ? found : undefined;
      });
      expect(row).toEqual({ state: 'running', spec_version: 2, applied_spec_version: 2 });
    });

    it('fails a running resource whose resize cannot be made, with the reason; retry brings it back resized', async () => {
      const { t, tokens } = world;
      const own = await createPool(t, tokens.operator);
      const { body } = await request({ ...aResourceRequest(), poolId: own.id }).expect(202);
      await untilState(t, tokens.deptAdmin, body.id, 'running');
      await seal(own.id, '{not json');
      await resize(body.id, { vcpu: 3 }).expect(202);
      // Not left running as if resized, with quota charged for a size the object does not have.
      const failed = await untilState(t, tokens.deptAdmin, body.id, 'failed');
      expect(failed.failureReason).toMatch(/^Misconfigured: /);
      expect(failed.events.at(-1)).toMatchObject({ fromState: 'running', toState: 'failed' });

      await seal(own.id, '{"latencyMs":0}');
      await t.http().post(`/api/v1/resources/${body.id}/retry`).set(bearer(tokens.deptAdmin)).expect(202);
      await untilState(t, tokens.deptAdmin, body.id, 'running');
      const control = fakePool(own.id);
      try {
        const [object] = (await control.pool.objects()).filter((o) => o.resourceId === body.id);
        expect(object.spec.vcpu).toBe(3);
      } finally {
        await control.close();
      }
    });
  });
});
