import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { QuotaDriver } from '../support/quota.js';

const zero = { vcpu: 0, memoryGiB: 0, storageGiB: 0, gpu: 0, publicIp: 0, instances: 0 };

describe('quota limits over the four-level tree', () => {
  let t: TestApp;
  let q: QuotaDriver;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;

  const put = (departmentId: string, limits: Record<string, unknown>, token = tokens.operator) =>
    t.http().put(`/api/v1/departments/${departmentId}/quota`).set(bearer(token)).send({ limits });
  const get = (departmentId: string, token = tokens.operator, query = '') =>
    t.http().get(`/api/v1/departments/${departmentId}/quota${query}`).set(bearer(token));

  beforeAll(async () => {
    t = await startApp();
    q = new QuotaDriver(t);
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  it('allocates down four levels; each grant must fit in what the parent has left', async () => {
    await put(tree.city.id, { vcpu: 1000, memoryGiB: 4000 }).expect(200);
    await put(tree.district.id, { vcpu: 400 }).expect(200);
    await put(tree.dept.id, { vcpu: 300 }).expect(200);
    const unit = await put(tree.unit.id, { vcpu: 120 }).expect(200);
    expect(unit.body).toEqual({
      departmentId: tree.unit.id,
      limits: { ...zero, vcpu: 120 },
      used: zero,
      allocatedToChildren: zero,
      available: { ...zero, vcpu: 120 },
    });
    await q.reserve(tree.dept.id, { vcpu: 100 });
    // The department: 300, of which 120 went to the unit and 100 is its own use: 80 left.
    const dept = await get(tree.dept.id).expect(200);
    expect(dept.body).toMatchObject({
      limits: { vcpu: 300 },
      used: { vcpu: 100 },
      allocatedToChildren: { vcpu: 120 },
      available: { vcpu: 80 },
    });
    // Raising the unit from 120 to 201 asks 81 of the department, which has 80.
    const refused = await put(tree.unit.id, { vcpu: 201 }).expect(409);
    expect(refused.body).toMatchObject({
      error: 'QuotaExceeded',
      dimension: 'vcpu',
      asked: 81,
      limit: 300,
      used: 100,
      allocatedToChildren: 120,
      available: 80,
      departmentId: tree.dept.id,
    });
    expect(refused.body.message).toBe(
      `vcpu: raising ${tree.unit.code} to 201 asks 81, but department ${tree.dept.code} has limit 300, ` +
        'used 100, allocated to child departments 120, available 80',
    );
    await put(tree.unit.id, { vcpu: 200 }).expect(200);
    // The district handed 300 to the department out of 400; the city 400 out of 1000.
    await put(tree.dept.id, { vcpu: 401 }).expect(409);
    expect((await get(tree.district.id).expect(200)).body.available.vcpu).toBe(100);
    expect((await get(tree.city.id).expect(200)).body.allocatedToChildren.vcpu).toBe(400);
    // Limits must be set top-down: a grant from a parent with nothing is refused.
    await put(tree.other.id, { gpu: 1 }).expect(409);
  });

  it('refuses to lower a limit below use plus what was handed out, with the numbers', async () => {
    const res = await put(tree.dept.id, { vcpu: 250 }).expect(409);
    expect(res.body.error).toBe('Conflict');
    expect(res.body.message).toBe(
      `vcpu: limit 250 is below what department ${tree.dept.code} uses (100) plus has allocated to its child departments (200): at least 300`,
    );
    await put(tree.district.id, { vcpu: 299 }).expect(409);
    // Lowering a child gives the difference back to its parent.
    await put(tree.unit.id, { vcpu: 50 }).expect(200);
    expect((await get(tree.dept.id).expect(200)).body.available.vcpu).toBe(150);
    await put(tree.dept.id, { vcpu: 150 }).expect(200);
    expect((await get(tree.district.id).expect(200)).body.available.vcpu).toBe(250);
  });

  it('rolls up a subtree and lists departments near a limit', async () => {
    await q.reserve(tree.unit.id, { vcpu: 45 });
    const res = await get(tree.district.id, tokens.finance, '?subtree=true').expect(200);
    expect(res.body).toMatchObject({
      departmentId: tree.district.id,
      limits: { vcpu: 400 },
      allocatedToChildren: { vcpu: 150 },
      subtreeUsed: { vcpu: 145 },
    });
    expect(res.body.departments.map((d: { departmentId: string }) => d.departmentId)).toEqual([
      tree.district.id,
      tree.dept.id,
      tree.unit.id,
    ]);
    const near = await t.http().get('/api/v1/quota/near-limit').set(bearer(tokens.operator)).expect(200);
    const ids = near.body.map((d: { departmentId: string }) => d.departmentId);
    // dept: 100 used + 50 allocated of 150 = 100%; unit: 45 of 50 = 90%; district: 150 of 400; city: 400 of 1000.
    expect(ids).toEqual(expect.arrayContaining([tree.dept.id, tree.unit.id]));
    expect(ids).not.toContain(tree.district.id);
    expect(ids).not.toContain(tree.city.id);
    expect(
      near.body.find((d: { departmentId: string }) => d.departmentId === tree.unit.id).dimensions,
    ).toEqual([{ dimension: 'vcpu', limit: 50, used: 45, allocatedToChildren: 0, ratio: 0.9 }]);
    // A dept-admin sees its own subtree only.
    const own = await t.http().get('/api/v1/quota/near-limit').set(bearer(tokens.deptAdmin)).expect(200);
    expect(own.body.map((d: { departmentId: string }) => d.departmentId).sort()).toEqual(
      [tree.dept.id, tree.unit.id].sort(),
    );
  });

  it('every role reads in its scope; only operators set limits; changes are audited', async () => {
    for (const token of [tokens.finance, tokens.auditor, tokens.deptAdmin])
      await get(tree.unit.id, token).expect(200);
    await get(tree.other.id, tokens.deptAdmin).expect(404);
    await get(tree.district.id, tokens.deptAdmin, '?subtree=true').expect(404);
    for (const token of [tokens.finance, tokens.auditor, tokens.deptAdmin])
      await put(tree.unit.id, { vcpu: 1 }, token).expect(403);
    await t.http().get(`/api/v1/departments/${tree.unit.id}/quota`).expect(401);
    const audit = await t
      .http()
      .get(`/api/v1/audit?targetType=department-quota&targetId=${tree.unit.id}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'quota.set-limits',
      role: 'operator',
      before: { limits: { vcpu: 200 } },
      after: { limits: { vcpu: 50 } },
    });
    await t.http().get('/api/v1/quota/drift').set(bearer(tokens.deptAdmin)).expect(403);
    const drift = await t.http().get('/api/v1/quota/drift').set(bearer(tokens.auditor)).expect(200);
    expect(drift.body).toMatchObject({ clean: true, differences: [] });
  });

  describe('bad input answers 400 naming the field', () => {
    it.each([
      ['negative', { vcpu: -1 }, /^limits\.vcpu must not be less than 0/],
      ['fractional', { vcpu: 2.5 }, /^limits\.vcpu must be an integer/],
      ['2^53', { storageGiB: 2 ** 53 }, /^limits\.storageGiB must not be greater than/],
      ['null', { gpu: null }, /^limits\.gpu must be an integer/],
      ['text', { gpu: '4' }, /^limits\.gpu must be an integer/],
      ['unknown dimension', { floppies: 1 }, /^limits\.floppies: property floppies should not exist/],
      ['no dimension', {}, /^limits: name at least one quota dimension/],
    ])('%s', async (_label, limits, message) => {
      const res = await put(tree.unit.id, limits).expect(400);
      expect(res.body.message).toMatch(message);
    });

    it('missing limits, a bad id, a bad subtree flag', async () => {
      const missing = await t
        .http()
        .put(`/api/v1/departments/${tree.unit.id}/quota`)
        .set(bearer(tokens.operator))
        .send({})
        .expect(400);
      expect(missing.body.message).toMatch(/^limits/);
      await put('not-a-uuid', { vcpu: 1 }).expect(400);
      await put('00000000-0000-4000-8000-000000000000', { vcpu: 1 }).expect(404);
      const flag = await get(tree.unit.id, tokens.operator, '?subtree=maybe').expect(400);
      expect(flag.body.message).toMatch(/^subtree/);
    });
  });
});
