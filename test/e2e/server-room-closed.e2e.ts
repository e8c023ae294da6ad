import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { aHost, aPool, aRoom, aSystem, toClosing, walk } from '../support/inventory.js';

/** A closed room is the basis of finance's stopped budget: nothing moves in, its figures stay. */
describe('a closed server room', () => {
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
  const patch = (path: string, body: object, token = tokens.deptAdmin) =>
    t.http().patch(path).set(bearer(token)).send(body);
  const room = async () =>
    (await post('/api/v1/server-rooms', aRoom(tree.dept.id), tokens.deptAdmin).expect(201)).body;
  const close = async (id: string, body: object = {}) => {
    await toClosing(t, tokens.operator, id);
    await post(`/api/v1/server-rooms/${id}/close`, { closedOn: '2026-06-30', ...body }).expect(200);
  };

  it('takes no new system or host, while what stays in it may still be edited', async () => {
    const closed = await room();
    const open = await room();
    const system = (
      await post('/api/v1/systems', aSystem(tree.dept.id, { serverRoomId: closed.id })).expect(201)
    ).body;
    await walk(t, tokens.operator, 'systems', system.id, 'migrated');
    await close(closed.id);

    const refused = await post(
      '/api/v1/systems',
      aSystem(tree.dept.id, { serverRoomId: closed.id }),
      tokens.deptAdmin,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(`serverRoomId: server room ${closed.name} is closed`);
    await post('/api/v1/hosts', aHost(tree.dept.id, { serverRoomId: closed.id }), tokens.deptAdmin).expect(
      409,
    );
    const host = (await post('/api/v1/hosts', aHost(tree.dept.id, { serverRoomId: open.id })).expect(201))
      .body;
    await patch(`/api/v1/hosts/${host.id}`, { serverRoomId: closed.id }).expect(409);
    // The migrated system stays on the closed room's record, and its edits that name the room pass.
    const edited = await patch(`/api/v1/systems/${system.id}`, {
      serverRoomId: closed.id,
      ownerContact: '王工',
    }).expect(200);
    expect(edited.body).toMatchObject({ serverRoomId: closed.id, ownerContact: '王工' });
    const { items } = (
      await t.http().get(`/api/v1/hosts?departmentId=${tree.dept.id}`).set(bearer(tokens.operator))
    ).body as { items: Array<{ serverRoomId: string | null }> };
    expect(items.filter((h) => h.serverRoomId === closed.id)).toEqual([]);
  });

  it('keeps its figures and leases as they were at closure, through the API and the import', async () => {
    const r = await room();
    const lease = (
      await post(
        `/api/v1/server-rooms/${r.id}/leases`,
        {
          provider: '电信',
          bandwidthMbps: 100,
          monthlyFee: '10000.00',
          contractStart: '2026-01-01',
          contractEnd: '2028-12-31',
        },
        tokens.deptAdmin,
      ).expect(201)
    ).body;
    await close(r.id);
    const before = (await t.http().get(`/api/v1/server-rooms/${r.id}`).set(bearer(tokens.finance))).body;

    const refused = await patch(`/api/v1/server-rooms/${r.id}`, { costStaff: '9000000.00', racks: 500 });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/is closed; its figures and leases stay/);
    await patch(`/api/v1/server-rooms/${r.id}`, { poorlyMaintained: true }, tokens.operator).expect(409);
    await t
      .http()
      .delete(`/api/v1/server-rooms/${r.id}/leases/${lease.id}`)
      .set(bearer(tokens.deptAdmin))
      .expect(409);
    // Ending a lease sooner is still how a closure stops paying for a line.
    await patch(`/api/v1/server-rooms/${r.id}/leases/${lease.id}`, { contractEnd: '2027-06-30' }).expect(200);

    const csv = `部门编码,机房名称,面积(m²),机柜数,IT功率(kW)\n${tree.dept.code},${r.name},10,500,9999\n`;
    const imported = await t
      .http()
      .post('/api/v1/server-rooms/import')
      .set(bearer(tokens.operator))
      .attach('file', Buffer.from(csv), 'rooms.csv')
      .expect(422);
    expect(imported.body.errors).toEqual([
      { row: 2, column: 'name', message: `server room ${r.name} is closed; its figures stay` },
    ]);
    const after = (await t.http().get(`/api/v1/server-rooms/${r.id}`).set(bearer(tokens.finance))).body;
    expect(after).toEqual(before);
  });

  it('closes with an exempted host in it: it went to the internal network with its classified system', async () => {
    const r = await room();
    const secret = (
      await post(
        '/api/v1/systems',
        aSystem(tree.dept.id, { classification: 'classified', serverRoomId: r.id }),
      ).expect(201)
    ).body;
    const host = (
      await post('/api/v1/hosts', aHost(tree.dept.id, { serverRoomId: r.id, systemIds: [secret.id] })).expect(
        201,
      )
    ).body;
    await post(`/api/v1/systems/${secret.id}/transitions`, { to: 'exempted', note: '涉密' }).expect(200);
    await post(`/api/v1/hosts/${host.id}/transitions`, { to: 'exempted', note: '涉密主机转内网' }).expect(
      200,
    );
    await close(r.id);
  });

  it('does not take back equipment a closure transferred to a pool: its capacity would count twice', async () => {
    const pool = await aPool(t);
    const first = await room();
    const second = await room();
    const host = (await post('/api/v1/hosts', aHost(tree.dept.id, { serverRoomId: first.id })).expect(201))
      .body;
    await walk(t, tokens.operator, 'hosts', host.id, 'migrated');
    await close(first.id, { transfers: [{ hostId: host.id, poolId: pool }] });
    const refused = await patch(`/api/v1/hosts/${host.id}`, { serverRoomId: second.id });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(
      `serverRoomId: host ${host.hostname} left server room ${first.name} when it closed (transferred)`,
    );
    // Its other fields stay editable.
    await patch(`/api/v1/hosts/${host.id}`, { serverRoomId: null, os: 'openEuler 22.03' }).expect(200);
  });
});
