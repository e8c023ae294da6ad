import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DepartmentScope } from '../../src/modules/tenancy/department-scope.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { QuotaDriver } from '../support/quota.js';

describe('quota requests and their approval', () => {
  let t: TestApp;
  let q: QuotaDriver;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;
  let secondOperator: string;

  const file = (
    token: string,
    departmentId: string,
    limits: Record<string, unknown>,
    reason = '新系统上云',
  ) => t.http().post('/api/v1/quota-requests').set(bearer(token)).send({ departmentId, limits, reason });
  const approve = (token: string, id: string, body: Record<string, unknown> = {}) =>
    t.http().post(`/api/v1/quota-requests/${id}/approve`).set(bearer(token)).send(body);
  const reject = (token: string, id: string, reason = '预算不足') =>
    t.http().post(`/api/v1/quota-requests/${id}/reject`).set(bearer(token)).send({ reason });
  const limitsOf = async (departmentId: string) =>
    (await t.http().get(`/api/v1/departments/${departmentId}/quota`).set(bearer(tokens.operator)).expect(200))
      .body.limits;

  beforeAll(async () => {
    t = await startApp();
    q = new QuotaDriver(t);
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
    secondOperator = await t.world.token('operator');
    await q.limits(tree.city.id, { vcpu: 1000, memoryGiB: 4000, gpu: 4 });
    await q.limits(tree.district.id, { vcpu: 500, memoryGiB: 2000, gpu: 2 });
    await q.limits(tree.dept.id, { vcpu: 100, memoryGiB: 400 });
  });
  afterAll(() => t.close());

  it('a dept-admin files for a department below its own; an operator approves in part', async () => {
    const filed = await file(tokens.deptAdmin, tree.unit.id, { vcpu: 40, memoryGiB: 160 }).expect(201);
    expect(filed.body).toMatchObject({
      departmentId: tree.unit.id,
      limits: { vcpu: 40, memoryGiB: 160 },
      state: 'pending',
      approvedLimits: null,
    });
    const pending = await t
      .http()
      .get('/api/v1/quota-requests?state=pending')
      .set(bearer(tokens.operator))
      .expect(200);
    expect(pending.body.items.map((r: { id: string }) => r.id)).toContain(filed.body.id);

    const approved = await approve(tokens.operator, filed.body.id, {
      limits: { vcpu: 24, memoryGiB: 160 },
      comment: '先批 24 核',
    }).expect(200);
    expect(approved.body).toMatchObject({
      state: 'approved',
      approvedLimits: { vcpu: 24, memoryGiB: 160 },
      decisionComment: '先批 24 核',
    });
    expect(await limitsOf(tree.unit.id)).toMatchObject({ vcpu: 24, memoryGiB: 160 });
    const dept = await t.http().get(`/api/v1/departments/${tree.dept.id}/quota`).set(bearer(tokens.operator));
    expect(dept.body.allocatedToChildren).toMatchObject({ vcpu: 24, memoryGiB: 160 });

    const audit = await t
      .http()
      .get(`/api/v1/audit?targetType=quota-request&targetId=${filed.body.id}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      'quota-request.approve',
      'quota-request.create',
    ]);
  });

  it('a decided request cannot be decided again, even by two operators at once', async () => {
    const filed = await file(tokens.deptAdmin, tree.dept.id, { vcpu: 120 }).expect(201);
    const [a, b] = await Promise.all([
      approve(tokens.operator, filed.body.id),
      approve(secondOperator, filed.body.id),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const again = await reject(tokens.operator, filed.body.id).expect(409);
    expect(again.body).toMatchObject({ error: 'InvalidTransition', state: 'approved' });
    expect(again.body.message).toContain('already approved');
    expect((await limitsOf(tree.dept.id)).vcpu).toBe(120);

    const rejected = await file(tokens.deptAdmin, tree.dept.id, { gpu: 1 }).expect(201);
    await reject(tokens.operator, rejected.body.id, '暂无 GPU').expect(200);
    await approve(tokens.operator, rejected.body.id).expect(409);
    const body = (
      await t.http().get(`/api/v1/quota-requests/${rejected.body.id}`).set(bearer(tokens.deptAdmin))
    ).body;
    expect(body).toMatchObject({ state: 'rejected', decisionComment: '暂无 GPU' });
    expect((await limitsOf(tree.dept.id)).gpu).toBe(0);
  });

  it('no one approves a request they filed', async () => {
    const filed = await file(tokens.operator, tree.dept.id, { memoryGiB: 500 }).expect(201);
    const self = await approve(tokens.operator, filed.body.id).expect(403);
    expect(self.body.message).toContain('filed');
    await approve(secondOperator, filed.body.id).expect(200);
  });

  it('an approval that does not fit the parent is refused with the numbers and stays pending', async () => {
    const filed = await file(tokens.deptAdmin, tree.dept.id, { gpu: 3 }).expect(201);
    const refused = await approve(tokens.operator, filed.body.id).expect(409);
    expect(refused.body).toMatchObject({ error: 'QuotaExceeded', dimension: 'gpu', asked: 3, limit: 2 });
    const still = await t.http().get(`/api/v1/quota-requests/${filed.body.id}`).set(bearer(tokens.operator));
    expect(still.body.state).toBe('pending');
    await approve(tokens.operator, filed.body.id, { limits: { gpu: 2 } }).expect(200);
  });

  it('granting more than asked, or what was not asked, is refused naming the field', async () => {
    const filed = await file(tokens.deptAdmin, tree.unit.id, { vcpu: 30 }).expect(201);
    const more = await approve(tokens.operator, filed.body.id, { limits: { vcpu: 31 } }).expect(400);
    expect(more.body.message).toBe('limits.vcpu: must be at most the 30 asked for');
    const other = await approve(tokens.operator, filed.body.id, { limits: { gpu: 1 } }).expect(400);
    expect(other.body.message).toBe('limits.gpu: was not asked for in this request');
    await approve(tokens.operator, filed.body.id, { limits: {} }).expect(400);
  });

  it('authorisation per role, and other departments answer 404', async () => {
    await file(tokens.deptAdmin, tree.other.id, { vcpu: 1 }).expect(404);
    await file(tokens.deptAdmin, tree.district.id, { vcpu: 1 }).expect(404);
    for (const token of [tokens.finance, tokens.auditor])
      await file(token, tree.dept.id, { vcpu: 1 }).expect(403);
    const filed = await file(tokens.deptAdmin, tree.dept.id, { vcpu: 130 }).expect(201);
    for (const token of [tokens.deptAdmin, tokens.finance, tokens.auditor]) {
      await approve(token, filed.body.id).expect(403);
      await reject(token, filed.body.id).expect(403);
    }
    await t.http().get(`/api/v1/quota-requests/${filed.body.id}`).set(bearer(tokens.otherAdmin)).expect(404);
    await approve(tokens.operator, '00000000-0000-4000-8000-000000000000').expect(404);
    const theirs = await t.http().get('/api/v1/quota-requests').set(bearer(tokens.otherAdmin)).expect(200);
    expect(theirs.body.items).toEqual([]);
    const mine = await t
      .http()
      .get(`/api/v1/quota-requests?departmentId=${tree.dept.id}`)
      .set(bearer(tokens.deptAdmin))
      .expect(200);
    expect(mine.body.items.map((r: { id: string }) => r.id)).toContain(filed.body.id);
    await t
      .http()
      .get(`/api/v1/quota-requests?departmentId=${tree.other.id}`)
      .set(bearer(tokens.deptAdmin))
      .expect(404);
    for (const token of [tokens.finance, tokens.auditor])
      await t.http().get(`/api/v1/quota-requests/${filed.body.id}`).set(bearer(token)).expect(200);
    await t.http().get('/api/v1/quota-requests').expect(401);
  });

  it('a connection lost while checking the scope answers 503, not a 404 the client would take as final', async () => {
    const filed = await file(tokens.deptAdmin, tree.dept.id, { vcpu: 1 }).expect(201);
    const scope = t.app.get(DepartmentScope);
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined });
    const spy = jest.spyOn(scope, 'visible').mockRejectedValueOnce(lost);
    try {
      await reject(tokens.operator, filed.body.id).expect(503);
    } finally {
      spy.mockRestore();
    }
    await reject(tokens.operator, filed.body.id).expect(200);
  });

  describe('bad input answers 400 naming the field', () => {
    it.each([
      ['negative', { vcpu: -2 }, /^limits\.vcpu/],
      ['fractional', { memoryGiB: 0.5 }, /^limits\.memoryGiB/],
      ['2^53', { vcpu: 2 ** 53 }, /^limits\.vcpu/],
      ['empty', {}, /^limits/],
    ])('%s limits', async (_label, limits, message) => {
      const res = await file(tokens.deptAdmin, tree.dept.id, limits).expect(400);
      expect(res.body.message).toMatch(message);
    });

    it.each<[string, Record<string, unknown>, RegExp]>([
      ['missing limits', { departmentId: 'D', reason: 'x' }, /limits/],
      ['missing reason', { departmentId: 'D', limits: { vcpu: 1 } }, /^reason/],
      ['blank reason', { departmentId: 'D', limits: { vcpu: 1 }, reason: '  ' }, /^reason/],
      ['missing department', { limits: { vcpu: 1 }, reason: 'x' }, /^departmentId/],
    ])('%s', async (_label, body, message) => {
      const sent = { ...body, ...(body.departmentId ? { departmentId: tree.dept.id } : {}) };
      const res = await t
        .http()
        .post('/api/v1/quota-requests')
        .set(bearer(tokens.deptAdmin))
        .send(sent)
        .expect(400);
      expect(res.body.message).toMatch(message);
    });

    it('a rejection needs a reason; a bad state filter is refused', async () => {
      const filed = await file(tokens.deptAdmin, tree.dept.id, { vcpu: 1 }).expect(201);
      const res = await t
        .http()
        .post(`/api/v1/quota-requests/${filed.body.id}/reject`)
        .set(bearer(tokens.operator))
        .send({})
        .expect(400);
      expect(res.body.message).toMatch(/^reason/);
      const bad = await t
        .http()
        .get('/api/v1/quota-requests?state=maybe')
        .set(bearer(tokens.operator))
        .expect(400);
      expect(bad.body.message).toMatch(/^state/);
    });
  });
});
