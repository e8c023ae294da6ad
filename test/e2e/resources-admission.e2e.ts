import { describe, expect, it } from '@jest/globals';
import { Pool } from '../../src/modules/provisioning/entities/pool.entity.js';
import { bearer } from '../support/harness.js';
import {
  aResourceRequest,
  createPool,
  grantQuota,
  resourcesOnFakePool,
  untilState,
} from '../support/provisioning.js';

const world = resourcesOnFakePool();
const { request } = world;

describe('resources on a fake pool, through the API and the worker', () => {
  describe('Idempotency-Key', () => {
    it('answers the same resource for the same key and body, 409 for another body', async () => {
      const { t, tokens } = world;
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
      const { t, tokens } = world;
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
      const { tokens } = world;
      const res = await request(aResourceRequest(), tokens.deptAdmin, 'k'.repeat(201)).expect(400);
      expect(res.body.message).toMatch(/^Idempotency-Key/);
    });
  });

  describe('placement', () => {
    it('puts a critical department on self-managed pools only, and answers 409 with reasons when none fits', async () => {
      const { t, tree, tokens, pool } = world;
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
      const { t, tokens } = world;
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
      const { t, tree, tokens, pool } = world;
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
      const { t, tokens } = world;
      const libvirt = await createPool(t, tokens.operator, { type: 'libvirt', connection: 'qemu:///system' });
      const res = await request({ ...aResourceRequest({ kind: 'container' }), poolId: libvirt.id }).expect(
        409,
      );
      expect(res.body.message).toMatch(/a libvirt pool runs no container/);
    });

    it('answers QuotaExceeded when the department has no room, and keeps nothing', async () => {
      const { tokens } = world;
      const res = await request(
        aResourceRequest({ spec: { vcpu: 200, memoryGiB: 1, storageGiB: 1, image: 'x' } }),
        tokens.otherAdmin,
      ).expect(409);
      expect(res.body.error).toBe('QuotaExceeded');
    });
  });

  describe('scope and input', () => {
    it('lists with filters; dept-admins see their subtree only', async () => {
      const { t, tree, tokens, pool } = world;
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
      const { t, tokens, fake } = world;
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
