import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ALLOWED_TRANSITIONS,
  MIGRATION_STATUSES,
  type MigrationStatus,
} from '../../src/modules/migration/status-machine.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import {
  aHost,
  aSystem,
  evidenceFor,
  HAPPY_PATH,
  PASSED_CHECKLIST,
  postSystem,
  walk,
} from '../support/inventory.js';

describe('migration inventory: systems and hosts', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;

  beforeAll(async () => {
    t = await startApp();
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  const createSystem = (
    extra: Record<string, unknown> = {},
    token = tokens.operator,
    departmentId = tree.dept.id,
  ) => postSystem(t, token, departmentId, extra);

  it('creates a system with its score, suggested strategy and first history row, audited', async () => {
    const system = await createSystem(
      { name: '人口信息管理系统', architecture: 'C/S', protectionLevel: 3, specialDevices: ['加密机'] },
      tokens.deptAdmin,
      tree.unit.id,
    );
    expect(system).toMatchObject({
      status: 'inventoried',
      difficultyScore: 25 + 16 + 10,
      suggestedStrategy: 'relocate-device',
      strategy: 'relocate-device',
    });
    const history = await t
      .http()
      .get(`/api/v1/systems/${system.id}/transitions`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(history.body).toEqual([expect.objectContaining({ fromStatus: null, toStatus: 'inventoried' })]);
    const audit = await t
      .http()
      .get(`/api/v1/audit?targetId=${system.id}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({ action: 'system.create', role: 'dept-admin' });
  });

  it('recomputes the score on update; operators override the strategy with a reason, audited', async () => {
    const system = await createSystem();
    const updated = await t
      .http()
      .patch(`/api/v1/systems/${system.id}`)
      .set(bearer(tokens.deptAdmin))
      .send({ availability: 'critical', critical: true })
      .expect(200);
    expect(updated.body.difficultyScore).toBe(8 + 15 + 10);
    await t
      .http()
      .put(`/api/v1/systems/${system.id}/strategy`)
      .set(bearer(tokens.deptAdmin))
      .send({ strategy: 'hosting', reason: 'x' })
      .expect(403);
    const bad = await t
      .http()
      .put(`/api/v1/systems/${system.id}/strategy`)
      .set(bearer(tokens.operator))
      .send({ strategy: 'hosting' })
      .expect(400);
    expect(bad.body.message).toMatch(/reason/);
    const overridden = await t
      .http()
      .put(`/api/v1/systems/${system.id}/strategy`)
      .set(bearer(tokens.operator))
      .send({ strategy: 'hosting', reason: '机房搬迁一并托管' })
      .expect(200);
    expect(overridden.body).toMatchObject({
      strategy: 'hosting',
      suggestedStrategy: 'rehost',
      overrideReason: '机房搬迁一并托管',
    });
    const audit = await t
      .http()
      .get(`/api/v1/audit?targetId=${system.id}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'system.strategy-override',
      after: { strategyOverride: 'hosting', overrideReason: '机房搬迁一并托管' },
    });
  });

  it('walks the happy path, recording actor, time and evidence; checklist and archive reference required', async () => {
    const system = await createSystem();
    await walk(t, tokens.deptAdmin, 'systems', system.id, 'verifying');
    const incomplete = await t
      .http()
      .post(`/api/v1/systems/${system.id}/transitions`)
      .set(bearer(tokens.deptAdmin))
      .send({ to: 'migrated', checklist: PASSED_CHECKLIST.slice(0, 2) })
      .expect(409);
    expect(incomplete.body.message).toMatch(/^checklist: .*performance/);
    await t
      .http()
      .post(`/api/v1/systems/${system.id}/transitions`)
      .set(bearer(tokens.deptAdmin))
      .send(evidenceFor('migrated'))
      .expect(200);
    const noRef = await t
      .http()
      .post(`/api/v1/systems/${system.id}/transitions`)
      .set(bearer(tokens.deptAdmin))
      .send({ to: 'archived' })
      .expect(409);
    expect(noRef.body.message).toMatch(/^archiveRef/);
    const archived = await t
      .http()
      .post(`/api/v1/systems/${system.id}/transitions`)
      .set(bearer(tokens.deptAdmin))
      .send({ to: 'archived', archiveRef: 'DA-2026-0042', note: '归档' })
      .expect(200);
    expect(archived.body).toMatchObject({ status: 'archived', archiveRef: 'DA-2026-0042' });
    const history = (
      await t.http().get(`/api/v1/systems/${system.id}/transitions`).set(bearer(tokens.operator)).expect(200)
    ).body;
    expect(history.map((h: { toStatus: string }) => h.toStatus)).toEqual(['inventoried', ...HAPPY_PATH]);
    const migrated = history.find((h: { toStatus: string }) => h.toStatus === 'migrated');
    expect(migrated).toMatchObject({
      note: 'migrated 证明材料',
      actorName: expect.stringMatching(/^dept-admin/),
    });
    expect(migrated.checklist).toHaveLength(PASSED_CHECKLIST.length);
    expect(new Date(migrated.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('blocks with a reason and returns only to where it was', async () => {
    const system = await createSystem();
    await walk(t, tokens.operator, 'systems', system.id, 'planned');
    const send = (body: object) =>
      t.http().post(`/api/v1/systems/${system.id}/transitions`).set(bearer(tokens.operator)).send(body);
    expect((await send({ to: 'blocked' }).expect(409)).body.message).toMatch(/^note/);
    await send({ to: 'blocked', note: '等待厂商配合' }).expect(200);
    expect((await send({ to: 'assessed' }).expect(409)).body.message).toMatch(
      /allowed from blocked: planned/,
    );
    expect((await send({ to: 'planned' }).expect(200)).body).toMatchObject({
      status: 'planned',
      blockedFrom: null,
    });
  });

  describe('refuses every illegal transition with 409', () => {
    // One system per source status, walked there through the API; then every target not in the table.
    const reach: Record<MigrationStatus, MigrationStatus[]> = {
      inventoried: [],
      assessed: ['assessed'],
      planned: ['assessed', 'planned'],
      migrating: ['assessed', 'planned', 'migrating'],
      verifying: ['assessed', 'planned', 'migrating', 'verifying'],
      migrated: ['assessed', 'planned', 'migrating', 'verifying', 'migrated'],
      archived: HAPPY_PATH,
      exempted: ['exempted'],
      retired: ['retired'],
      blocked: ['assessed', 'blocked'],
    };
    const cases = MIGRATION_STATUSES.flatMap((from) =>
      MIGRATION_STATUSES.filter((to) =>
        from === 'blocked' ? to !== 'assessed' : !ALLOWED_TRANSITIONS[from].includes(to),
      ).map((to) => [from, to] as const),
    );
    const at = new Map<MigrationStatus, string>();

    beforeAll(async () => {
      for (const from of MIGRATION_STATUSES) {
        const system = await createSystem({ classification: 'classified' });
        for (const to of reach[from])
          await t
            .http()
            .post(`/api/v1/systems/${system.id}/transitions`)
            .set(bearer(tokens.operator))
            .send(evidenceFor(to))
            .expect(200);
        at.set(from, system.id);
      }
    });

    it.each(cases)('%s → %s', async (from, to) => {
      const res = await t
        .http()
        .post(`/api/v1/systems/${at.get(from)}/transitions`)
        .set(bearer(tokens.operator))
        .send(evidenceFor(to))
        .expect(409);
      expect(res.body).toMatchObject({ error: 'InvalidTransition', from, to });
      const now = await t
        .http()
        .get(`/api/v1/systems/${at.get(from)}`)
        .set(bearer(tokens.operator))
        .expect(200);
      expect(now.body.status).toBe(from);
    });

    it('exempts only classified systems', async () => {
      const open = await createSystem();
      const res = await t
        .http()
        .post(`/api/v1/systems/${open.id}/transitions`)
        .set(bearer(tokens.operator))
        .send({ to: 'exempted', note: '涉密' })
        .expect(409);
      expect(res.body.message).toMatch(/classified/);
    });
  });

  it('hosts: CRUD, links to systems of the same department, own life cycle', async () => {
    const system = await createSystem();
    const foreign = await createSystem({}, tokens.operator, tree.other.id);
    const refused = await t
      .http()
      .post('/api/v1/hosts')
      .set(bearer(tokens.operator))
      .send(aHost(tree.dept.id, { systemIds: [foreign.id] }))
      .expect(400);
    expect(refused.body.message).toMatch(/^systemIds/);
    const host = (
      await t
        .http()
        .post('/api/v1/hosts')
        .set(bearer(tokens.deptAdmin))
        .send(
          aHost(tree.dept.id, { systemIds: [system.id], rack: 'A01', rackUnit: '12-14', powerWatts: 450 }),
        )
        .expect(201)
    ).body;
    expect(host).toMatchObject({ status: 'inventoried', systemIds: [system.id], rack: 'A01' });
    const fetched = await t
      .http()
      .get(`/api/v1/systems/${system.id}`)
      .set(bearer(tokens.deptAdmin))
      .expect(200);
    expect(fetched.body.hostIds).toEqual([host.id]);
    const listed = await t
      .http()
      .get(`/api/v1/hosts?departmentId=${tree.dept.id}`)
      .set(bearer(tokens.finance))
      .expect(200);
    expect(listed.body.items.find((h: { id: string }) => h.id === host.id).systemIds).toEqual([system.id]);
    await walk(t, tokens.deptAdmin, 'hosts', host.id, 'migrated');
    expect((await t.http().get(`/api/v1/hosts/${host.id}`).set(bearer(tokens.operator))).body.status).toBe(
      'migrated',
    );
    await t.http().delete(`/api/v1/hosts/${host.id}`).set(bearer(tokens.operator)).expect(409);
    const spare = (
      await t.http().post('/api/v1/hosts').set(bearer(tokens.operator)).send(aHost(tree.dept.id)).expect(201)
    ).body;
    await t.http().delete(`/api/v1/hosts/${spare.id}`).set(bearer(tokens.deptAdmin)).expect(204);
    await t.http().get(`/api/v1/hosts/${spare.id}`).set(bearer(tokens.operator)).expect(404);
  });

  it('a duplicate name in a department answers 409; bad input names the field', async () => {
    const system = await createSystem();
    await t
      .http()
      .post('/api/v1/systems')
      .set(bearer(tokens.operator))
      .send(aSystem(tree.dept.id, { name: system.name }))
      .expect(409);
    for (const [body, field] of [
      [{ protectionLevel: 5 }, /protectionLevel/],
      [{ classification: 'secret' }, /classification/],
      [{ architecture: 'mainframe' }, /architecture/],
      [{ databases: 'Oracle' }, /databases/],
      [{ name: ' ' }, /name/],
    ] as const) {
      const res = await t
        .http()
        .post('/api/v1/systems')
        .set(bearer(tokens.operator))
        .send(aSystem(tree.dept.id, body))
        .expect(400);
      expect(res.body.message).toMatch(field);
    }
    const bad = await t
      .http()
      .post(`/api/v1/systems/${system.id}/transitions`)
      .set(bearer(tokens.operator))
      .send({ to: 'done' })
      .expect(400);
    expect(bad.body.message).toMatch(/^to/);
  });
});
