import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { aHost, aPool, aRoom, aSystem, toClosing, walk } from '../support/inventory.js';

describe('server rooms', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;

  beforeAll(async () => {
    t = await startApp();
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  const post = (path: string, body: object, token = tokens.operator) =>
    t.http().post(path).set(bearer(token)).send(body);
  const room = async (extra: Record<string, unknown> = {}, departmentId = tree.dept.id) =>
    (await post('/api/v1/server-rooms', aRoom(departmentId, extra), tokens.deptAdmin).expect(201)).body;

  it('keeps the O&M cost exact and flags closure candidates by the configured rules', async () => {
    const small = await room();
    expect(small).toMatchObject({
      status: 'active',
      annualOmCost: '400000.75',
      costMaintenance: '60000.50',
      candidate: true,
      candidateFlags: ['small', 'energy-hungry', 'under-used'],
    });
    const good = await room({ racks: 40, floorAreaM2: 400, pue: 1.4, utilisationPercent: 80 });
    expect(good).toMatchObject({ candidate: false, candidateFlags: [] });
    await t
      .http()
      .patch(`/api/v1/server-rooms/${good.id}`)
      .set(bearer(tokens.deptAdmin))
      .send({ poorlyMaintained: true })
      .expect(403);
    const flagged = await t
      .http()
      .patch(`/api/v1/server-rooms/${good.id}`)
      .set(bearer(tokens.operator))
      .send({ poorlyMaintained: true, conditionNotes: '空调老化' })
      .expect(200);
    expect(flagged.body.candidateFlags).toEqual(['poorly-maintained']);
    const candidates = await t
      .http()
      .get(`/api/v1/server-rooms?candidate=true&departmentId=${tree.dept.id}`)
      .set(bearer(tokens.finance))
      .expect(200);
    expect(candidates.body.items.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining([small.id, good.id]),
    );
    const bad = await post('/api/v1/server-rooms', aRoom(tree.dept.id, { costStaff: 1200.5 })).expect(400);
    expect(bad.body.message).toMatch(/^costStaff/);
    await post('/api/v1/server-rooms', aRoom(tree.dept.id, { costStaff: '12.345' })).expect(400);
  });

  it('follows its status table; closed only through close', async () => {
    const r = await room();
    const refuse = await post(`/api/v1/server-rooms/${r.id}/transitions`, { to: 'closing' }).expect(409);
    expect(refuse.body).toMatchObject({ error: 'InvalidTransition', from: 'active', to: 'closing' });
    await post(`/api/v1/server-rooms/${r.id}/transitions`, { to: 'retained', note: '统一管理' }).expect(200);
    await post(`/api/v1/server-rooms/${r.id}/transitions`, { to: 'closure-planned' }).expect(200);
    await post(`/api/v1/server-rooms/${r.id}/transitions`, { to: 'closing' }).expect(200);
    await post(`/api/v1/server-rooms/${r.id}/transitions`, { to: 'closed' }).expect(409);
    await post(
      `/api/v1/server-rooms/${r.id}/transitions`,
      { to: 'closure-planned' },
      tokens.deptAdmin,
    ).expect(403);
    const active = await room();
    await post(`/api/v1/server-rooms/${active.id}/close`, {}).expect(409);
  });

  it('refuses to close with the exact blockers, closes after the last host moves, and raises the pool', async () => {
    const r = await room();
    const sys = (await post('/api/v1/systems', aSystem(tree.dept.id, { serverRoomId: r.id })).expect(201))
      .body;
    const done = (await post('/api/v1/systems', aSystem(tree.dept.id)).expect(201)).body;
    const web = (
      await post(
        '/api/v1/hosts',
        aHost(tree.dept.id, { hostname: 'web-01', serverRoomId: r.id, systemIds: [sys.id] }),
      ).expect(201)
    ).body;
    const db = (
      await post(
        '/api/v1/hosts',
        aHost(tree.dept.id, {
          hostname: 'db-01',
          serverRoomId: r.id,
          cpuCores: 32,
          memoryGib: 256,
          diskGib: 4000,
        }),
      ).expect(201)
    ).body;
    const vm = (
      await post(
        '/api/v1/hosts',
        aHost(tree.dept.id, { hostname: 'vm-01', kind: 'virtual', serverRoomId: r.id, systemIds: [done.id] }),
      ).expect(201)
    ).body;
    const moved = (
      await post('/api/v1/hosts', aHost(tree.dept.id, { hostname: 'old-01', serverRoomId: r.id })).expect(201)
    ).body;
    await walk(t, tokens.operator, 'hosts', db.id, 'migrated');
    await walk(t, tokens.operator, 'hosts', web.id, 'planned');
    await post(`/api/v1/hosts/${vm.id}/transitions`, { to: 'retired', note: '下线' }).expect(200);
    // Relocated: the host left the room, so it no longer holds the room open.
    await t
      .http()
      .patch(`/api/v1/hosts/${moved.id}`)
      .set(bearer(tokens.operator))
      .send({ serverRoomId: null })
      .expect(200);
    await toClosing(t, tokens.operator, r.id);

    const refused = await post(`/api/v1/server-rooms/${r.id}/close`, {}).expect(409);
    expect(refused.body.blockers).toEqual({
      hosts: [
        {
          id: web.id,
          hostname: 'web-01',
          status: 'planned',
          systems: [{ id: sys.id, name: sys.name, status: 'inventoried' }],
        },
      ],
      systems: [{ id: sys.id, name: sys.name, status: 'inventoried' }],
    });
    expect(refused.body.message).toContain('web-01 (planned)');

    await walk(t, tokens.operator, 'hosts', web.id, 'archived');
    const still = await post(`/api/v1/server-rooms/${r.id}/close`, {}).expect(409);
    expect(still.body.blockers).toEqual({
      hosts: [],
      systems: [{ id: sys.id, name: sys.name, status: 'inventoried' }],
    });
    await walk(t, tokens.operator, 'systems', sys.id, 'migrated');

    const pool = await aPool(t, { vcpu: 100, memoryGiB: 400, storageGiB: 10000, gpu: 0 });
    const notHere = await post(`/api/v1/server-rooms/${r.id}/close`, {
      transfers: [{ hostId: moved.id, poolId: pool }],
    }).expect(400);
    expect(notHere.body.message).toMatch(/^transfers\[0\]\.hostId/);
    const virtual = await post(`/api/v1/server-rooms/${r.id}/close`, {
      transfers: [{ hostId: vm.id, poolId: pool }],
    }).expect(400);
    expect(virtual.body.message).toMatch(/virtual/);
    expect(
      (await t.http().get(`/api/v1/server-rooms/${r.id}`).set(bearer(tokens.operator))).body.status,
    ).toBe('closing');

    const closed = await post(`/api/v1/server-rooms/${r.id}/close`, {
      closedOn: '2026-12-31',
      transfers: [
        { hostId: db.id, poolId: pool },
        { hostId: web.id, poolId: pool, vcpu: 4 },
      ],
      disposals: [{ hostId: vm.id, note: '报废' }],
    }).expect(200);
    expect(closed.body).toMatchObject({
      status: 'closed',
      closedOn: '2026-12-31',
      budgetStopsOn: '2027-01-01',
      hosts: [],
    });
    expect(closed.body.equipment).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          hostId: db.id,
          disposition: 'transferred',
          poolId: pool,
          capacity: { vcpu: 32, memoryGiB: 256, storageGiB: 4000, gpu: 0 },
        }),
        expect.objectContaining({
          hostId: web.id,
          disposition: 'transferred',
          capacity: { vcpu: 4, memoryGiB: 32, storageGiB: 500, gpu: 0 },
        }),
        expect.objectContaining({ hostId: vm.id, disposition: 'disposed', note: '报废' }),
      ]),
    );
    const [{ capacity }] = await t.dataSource.query('SELECT capacity FROM pools WHERE id = $1', [pool]);
    expect(capacity).toEqual({
      vcpu: 100 + 32 + 4,
      memoryGiB: 400 + 256 + 32,
      storageGiB: 10000 + 4000 + 500,
      gpu: 0,
    });
    const audit = await t
      .http()
      .get(`/api/v1/audit?targetId=${pool}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items.filter((e: { action: string }) => e.action === 'pool.capacity-add')).toHaveLength(
      2,
    );
    await post(`/api/v1/server-rooms/${r.id}/close`, {}).expect(409);
  });

  it('stops the budget from 1 January after closure, across the year end', async () => {
    for (const [closedOn, stops] of [
      ['2026-12-31', '2027-01-01'],
      ['2027-01-01', '2028-01-01'],
    ]) {
      const r = await room();
      await toClosing(t, tokens.operator, r.id);
      const res = await post(`/api/v1/server-rooms/${r.id}/close`, { closedOn }).expect(200);
      expect(res.body.budgetStopsOn).toBe(stops);
    }
    const r = await room();
    await toClosing(t, tokens.operator, r.id);
    await post(`/api/v1/server-rooms/${r.id}/close`, { closedOn: '2026-02-30' }).expect(400);
  });

  it('leases: under three years run to the end, longer are adjusted, none renewed after closure', async () => {
    const r = await room();
    const short = (
      await post(
        `/api/v1/server-rooms/${r.id}/leases`,
        {
          provider: '中国电信',
          bandwidthMbps: 100,
          monthlyFee: '2500.00',
          contractStart: '2025-01-01',
          contractEnd: '2027-06-30',
        },
        tokens.deptAdmin,
      ).expect(201)
    ).body;
    expect(short).toMatchObject({ closureAction: 'run-to-end', renewable: true, monthlyFee: '2500.00' });
    const long = (
      await post(`/api/v1/server-rooms/${r.id}/leases`, {
        provider: '中国联通',
        bandwidthMbps: 1000,
        monthlyFee: '18000.00',
        contractStart: '2024-01-01',
        contractEnd: '2029-12-31',
      }).expect(201)
    ).body;
    expect(long.closureAction).toBe('adjust');
    await post(`/api/v1/server-rooms/${r.id}/leases`, {
      provider: 'x',
      bandwidthMbps: 1,
      monthlyFee: '1',
      contractStart: '2025-01-01',
      contractEnd: '2024-01-01',
    }).expect(400);
    await toClosing(t, tokens.operator, r.id);
    await post(`/api/v1/server-rooms/${r.id}/close`, { closedOn: '2026-06-30' }).expect(200);
    const leases = await t
      .http()
      .get(`/api/v1/server-rooms/${r.id}/leases`)
      .set(bearer(tokens.finance))
      .expect(200);
    expect(leases.body.map((l: { renewable: boolean }) => l.renewable)).toEqual([false, false]);
    await t
      .http()
      .patch(`/api/v1/server-rooms/${r.id}/leases/${short.id}`)
      .set(bearer(tokens.operator))
      .send({ contractEnd: '2028-06-30' })
      .expect(409);
    await t
      .http()
      .patch(`/api/v1/server-rooms/${r.id}/leases/${long.id}`)
      .set(bearer(tokens.operator))
      .send({ contractEnd: '2027-06-30' })
      .expect(200);
    await post(`/api/v1/server-rooms/${r.id}/leases`, {
      provider: '新线路',
      bandwidthMbps: 10,
      monthlyFee: '100',
      contractStart: '2026-07-01',
      contractEnd: '2027-06-30',
    }).expect(409);
  });

  it("another department's room answers 404 to a dept-admin; finance and auditors only read", async () => {
    const r = await room({}, tree.dept.id);
    const admin = tokens.otherAdmin;
    await t.http().get(`/api/v1/server-rooms/${r.id}`).set(bearer(admin)).expect(404);
    await t.http().patch(`/api/v1/server-rooms/${r.id}`).set(bearer(admin)).send({ racks: 1 }).expect(404);
    await t.http().get(`/api/v1/server-rooms/${r.id}/leases`).set(bearer(admin)).expect(404);
    await post('/api/v1/server-rooms', aRoom(tree.dept.id), admin).expect(404);
    const listed = await t.http().get('/api/v1/server-rooms').set(bearer(admin)).expect(200);
    expect(listed.body.items.map((x: { id: string }) => x.id)).not.toContain(r.id);
    for (const token of [tokens.finance, tokens.auditor]) {
      await t.http().get(`/api/v1/server-rooms/${r.id}`).set(bearer(token)).expect(200);
      await post('/api/v1/server-rooms', aRoom(tree.dept.id), token).expect(403);
    }
    await t.http().delete(`/api/v1/server-rooms/${r.id}`).set(bearer(tokens.deptAdmin)).expect(204);
  });
});
