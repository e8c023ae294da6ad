import { describe, expect, it } from '@jest/globals';
import { objectName } from '../../libs/drivers/index.js';
import { bearer } from '../support/harness.js';
import { aResourceRequest, eventually, resourcesOnFakePool, untilState } from '../support/provisioning.js';

const world = resourcesOnFakePool();
const { request, resize, ledger, allocated } = world;

describe('resources on a fake pool, through the API and the worker', () => {
  it('request → queued → provisioning → running, one object with our labels, quota reserved', async () => {
    const { t, tree, tokens, pool, fake } = world;
    // Label keys that Object.prototype has too are labels like any other.
    const labels = { app: 'census', toString: 'v1', valueOf: 'yes' };
    const res = await request(aResourceRequest({ labels })).expect(202);
    expect(res.body.labels).toEqual(labels);
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
      ...labels,
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
    const { t, tokens, fake } = world;
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
    const { t, tokens, fake } = world;
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
      await resize(body.id, { vcpu: 3 }).expect(202);
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
    const { t, tokens, fake } = world;
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

    const shrunk = await resize(body.id, { storageGiB: 20 }).expect(400);
    expect(shrunk.body.message).toMatch(/^spec\.storageGiB: cannot shrink/);
    const resized = await resize(body.id, { vcpu: 4, memoryGiB: 8 }).expect(202);
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
    const { t, tokens, fake } = world;
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
    const { t, tokens, fake } = world;
    await fake.pool.pause();
    let id: string;
    try {
      const { body } = await request(aResourceRequest()).expect(202);
      id = body.id;
      // The worker has read the resource (vcpu 2) and hangs in the driver call while the owner resizes.
      await untilState(t, tokens.deptAdmin, id, 'provisioning');
      await resize(id, { vcpu: 3 }).expect(202);
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
    const { t, tokens } = world;
    const { body } = await request(aResourceRequest()).expect(202);
    const res = await resize(body.id, { vcpu: 256 }).expect(409);
    expect(res.body.message).toMatch(/vcpu/);
    const back = await t.http().get(`/api/v1/resources/${body.id}`).set(bearer(tokens.deptAdmin)).expect(200);
    expect(back.body.spec.vcpu).toBe(2);
  });
});
