import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';
import { pauseBeforeAudit, waitForLockWaits } from '../support/locks.js';

describe('departments', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;

  beforeAll(async () => {
    t = await startApp();
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  it('creates a department under a district and audits it', async () => {
    const code = unique('dep');
    const res = await t
      .http()
      .post('/api/v1/departments')
      .set(bearer(tokens.operator))
      .send({
        code,
        name: '市统计局',
        nameEn: 'Statistics Bureau',
        kind: 'department',
        parentId: tree.district.id,
      })
      .expect(201);
    expect(res.body).toMatchObject({
      code,
      name: '市统计局',
      kind: 'department',
      parentId: tree.district.id,
    });
    expect(res.body.path).toBe(`${tree.district.path}${res.body.id}/`);
    const audit = await t
      .http()
      .get(`/api/v1/audit?targetId=${res.body.id}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'department.create',
      targetType: 'department',
      role: 'operator',
    });
  });

  it('refuses a duplicate code with 409', async () => {
    const res = await t
      .http()
      .post('/api/v1/departments')
      .set(bearer(tokens.operator))
      .send({ code: tree.dept.code, name: '重复', kind: 'department', parentId: tree.city.id })
      .expect(409);
    expect(res.body.message).toContain('code');
  });

  it('enforces the kinds of the tree', async () => {
    const res = await t
      .http()
      .post('/api/v1/departments')
      .set(bearer(tokens.operator))
      .send({ code: unique('u'), name: '单位', kind: 'unit', parentId: tree.city.id })
      .expect(400);
    expect(res.body.message).toMatch(/^parentId: a unit cannot sit under a city/);
    await t
      .http()
      .post('/api/v1/departments')
      .set(bearer(tokens.operator))
      .send({ code: unique('c'), name: '区', kind: 'district' })
      .expect(400);
  });

  it('lists a subtree, and a dept-admin sees only its own', async () => {
    const all = await t
      .http()
      .get(`/api/v1/departments?rootId=${tree.city.id}`)
      .set(bearer(tokens.finance))
      .expect(200);
    expect(all.body.map((d: { id: string }) => d.id)).toEqual(
      expect.arrayContaining([tree.city.id, tree.district.id, tree.dept.id, tree.unit.id, tree.other.id]),
    );
    const own = await t.http().get('/api/v1/departments').set(bearer(tokens.deptAdmin)).expect(200);
    expect(own.body.map((d: { id: string }) => d.id).sort()).toEqual([tree.dept.id, tree.unit.id].sort());
  });

  it('answers 404 to a dept-admin asking for another department', async () => {
    await t.http().get(`/api/v1/departments/${tree.other.id}`).set(bearer(tokens.deptAdmin)).expect(404);
    await t
      .http()
      .get(`/api/v1/departments?rootId=${tree.other.id}`)
      .set(bearer(tokens.deptAdmin))
      .expect(404);
    await t.http().get(`/api/v1/departments/${tree.unit.id}`).set(bearer(tokens.deptAdmin)).expect(200);
  });

  it('renames; only operators change the tree', async () => {
    const res = await t
      .http()
      .patch(`/api/v1/departments/${tree.unit.id}`)
      .set(bearer(tokens.operator))
      .send({ name: '信息中心 🏛️', nameEn: 'Information Centre' })
      .expect(200);
    expect(res.body.name).toBe('信息中心 🏛️');
    for (const token of [tokens.finance, tokens.auditor, tokens.deptAdmin]) {
      await t
        .http()
        .patch(`/api/v1/departments/${tree.unit.id}`)
        .set(bearer(token))
        .send({ name: 'x' })
        .expect(403);
    }
    await t.http().patch(`/api/v1/departments/${tree.unit.id}`).send({ name: 'x' }).expect(401);
  });

  it('moves a subtree, rewriting paths, and refuses cycles', async () => {
    const d = await t.world.department('district', tree.city);
    const dep = await t.world.department('department', d);
    const unit = await t.world.department('unit', dep);
    const target = await t.world.department('district', tree.city);
    await t
      .http()
      .post(`/api/v1/departments/${dep.id}/move`)
      .set(bearer(tokens.operator))
      .send({ parentId: target.id })
      .expect(200);
    const moved = await t
      .http()
      .get(`/api/v1/departments/${unit.id}`)
      .set(bearer(tokens.operator))
      .expect(200);
    expect(moved.body.path).toBe(`${target.path}${dep.id}/${unit.id}/`);
    const cycle = await t
      .http()
      .post(`/api/v1/departments/${dep.id}/move`)
      .set(bearer(tokens.operator))
      .send({ parentId: dep.id })
      .expect(409);
    expect(cycle.body.message).toContain('parentId');
    await t
      .http()
      .post(`/api/v1/departments/${unit.id}/move`)
      .set(bearer(tokens.operator))
      .send({ parentId: tree.city.id })
      .expect(400);
  });

  it('places a department created while its parent moves under the parent where the move put it', async () => {
    const from = await t.world.department('district', tree.city);
    const to = await t.world.department('district', tree.city);
    const dep = await t.world.department('department', from);
    const toAdmin = await t.world.token('dept-admin', to.id);

    // The move stops just before it commits, its paths rewritten; the create comes in then.
    const resume = await pauseBeforeAudit(t.dataSource);
    const moving = t
      .http()
      .post(`/api/v1/departments/${dep.id}/move`)
      .set(bearer(tokens.operator))
      .send({ parentId: to.id })
      .then((res) => res);
    const creating = waitForLockWaits(t.dataSource, 1).then(() =>
      t
        .http()
        .post('/api/v1/departments')
        .set(bearer(tokens.operator))
        .send({ code: unique('unit'), name: '新科室', kind: 'unit', parentId: dep.id })
        .then((res) => res),
    );
    await waitForLockWaits(t.dataSource, 2).finally(resume);
    expect((await moving).status).toBe(200);
    const created = await creating;
    expect(created.status).toBe(201);
    expect(created.body.path).toBe(`${to.path}${dep.id}/${created.body.id}/`);
    await t.http().get(`/api/v1/departments/${created.body.id}`).set(bearer(toAdmin)).expect(200);
  });

  it('deletes only empty departments', async () => {
    const d = await t.world.department('district', tree.city);
    const dep = await t.world.department('department', d);
    await t.http().delete(`/api/v1/departments/${d.id}`).set(bearer(tokens.operator)).expect(409);
    await t.http().delete(`/api/v1/departments/${dep.id}`).set(bearer(tokens.operator)).expect(204);
    await t.http().delete(`/api/v1/departments/${d.id}`).set(bearer(tokens.operator)).expect(204);
    await t.http().get(`/api/v1/departments/${d.id}`).set(bearer(tokens.operator)).expect(404);
    const bound = await t.world.department('department', tree.city);
    await t.world.user('dept-admin', bound.id);
    const refused = await t
      .http()
      .delete(`/api/v1/departments/${bound.id}`)
      .set(bearer(tokens.operator))
      .expect(409);
    expect(refused.body.error).toBe('Conflict');
  });

  describe('bad input answers 4xx naming the field', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['wrong type', { code: 12, name: 'x', kind: 'city' }, /code/],
      ['unknown field', { code: 'ok-code', name: 'x', kind: 'city', extra: 1 }, /extra/],
      ['empty name', { code: 'ok-code', name: '', kind: 'city' }, /name/],
      ['blank name', { code: 'ok-code', name: '   ', kind: 'city' }, /name/],
      ['10,000 characters', { code: 'ok-code', name: 'x'.repeat(10000), kind: 'city' }, /name/],
      ['bad kind', { code: 'ok-code', name: 'x', kind: 'village' }, /kind/],
      ['bad parent id', { code: 'ok-code', name: 'x', kind: 'district', parentId: 'nope' }, /parentId/],
      ['missing code', { name: 'x', kind: 'city' }, /code/],
    ];
    it.each(cases)('%s', async (_label, body, field) => {
      const res = await t
        .http()
        .post('/api/v1/departments')
        .set(bearer(tokens.operator))
        .send(body)
        .expect(400);
      expect(res.body.message).toMatch(field);
      expect(res.body.requestId).toBeTruthy();
    });

    it('malformed JSON and a bad id', async () => {
      const res = await t
        .http()
        .post('/api/v1/departments')
        .set(bearer(tokens.operator))
        .set('Content-Type', 'application/json')
        .send('{"code": ')
        .expect(400);
      expect(res.body.message).toBeTruthy();
      const bad = await t
        .http()
        .get('/api/v1/departments/not-a-uuid')
        .set(bearer(tokens.operator))
        .expect(400);
      expect(bad.body.message).toBe('id: must be a UUID');
    });

    it('keeps unicode exactly', async () => {
      const name = '测试\u0000'.slice(0, 2) + ' émoji 👩‍💻 ‮RTL';
      const res = await t
        .http()
        .post('/api/v1/departments')
        .set(bearer(tokens.operator))
        .send({ code: unique('uni'), name, kind: 'department', parentId: tree.city.id })
        .expect(201);
      const back = await t
        .http()
        .get(`/api/v1/departments/${res.body.id}`)
        .set(bearer(tokens.operator))
        .expect(200);
      expect(back.body.name).toBe(name);
    });
  });
});
