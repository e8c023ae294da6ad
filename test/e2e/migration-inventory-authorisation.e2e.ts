// Who may read and write the migration inventory: roles, departments, and server rooms of other departments.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { aHost, aRoom, aSystem, evidenceFor, postSystem } from '../support/inventory.js';

describe('migration inventory: authorisation', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;

  beforeAll(async () => {
    t = await startApp();
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  it('finance and auditors read but never write', async () => {
    const system = await postSystem(t, tokens.operator, tree.dept.id);
    for (const token of [tokens.finance, tokens.auditor]) {
      await t.http().get(`/api/v1/systems/${system.id}`).set(bearer(token)).expect(200);
      await t.http().post('/api/v1/systems').set(bearer(token)).send(aSystem(tree.dept.id)).expect(403);
      await t
        .http()
        .patch(`/api/v1/systems/${system.id}`)
        .set(bearer(token))
        .send({ userCount: 1 })
        .expect(403);
      await t
        .http()
        .post(`/api/v1/systems/${system.id}/transitions`)
        .set(bearer(token))
        .send(evidenceFor('assessed'))
        .expect(403);
      await t.http().post('/api/v1/hosts').set(bearer(token)).send(aHost(tree.dept.id)).expect(403);
    }
    await t.http().get('/api/v1/systems').expect(401);
  });

  it("another department's systems and hosts answer 404 to a dept-admin, and are not listed", async () => {
    const system = await postSystem(t, tokens.operator, tree.other.id);
    const host = (
      await t.http().post('/api/v1/hosts').set(bearer(tokens.operator)).send(aHost(tree.other.id)).expect(201)
    ).body;
    const admin = tokens.deptAdmin;
    await t.http().get(`/api/v1/systems/${system.id}`).set(bearer(admin)).expect(404);
    await t
      .http()
      .patch(`/api/v1/systems/${system.id}`)
      .set(bearer(admin))
      .send({ userCount: 1 })
      .expect(404);
    await t.http().delete(`/api/v1/systems/${system.id}`).set(bearer(admin)).expect(404);
    await t
      .http()
      .post(`/api/v1/systems/${system.id}/transitions`)
      .set(bearer(admin))
      .send(evidenceFor('assessed'))
      .expect(404);
    await t.http().get(`/api/v1/systems/${system.id}/transitions`).set(bearer(admin)).expect(404);
    await t.http().get(`/api/v1/hosts/${host.id}`).set(bearer(admin)).expect(404);
    await t
      .http()
      .post(`/api/v1/hosts/${host.id}/transitions`)
      .set(bearer(admin))
      .send(evidenceFor('assessed'))
      .expect(404);
    await t.http().post('/api/v1/systems').set(bearer(admin)).send(aSystem(tree.other.id)).expect(404);
    await t.http().get(`/api/v1/systems?departmentId=${tree.other.id}`).set(bearer(admin)).expect(404);
    const own = await t.http().get('/api/v1/systems?limit=1000').set(bearer(admin)).expect(200);
    expect(own.body.items.map((s: { id: string }) => s.id)).not.toContain(system.id);
    expect(own.body.items.length).toBeGreaterThan(0);
    const otherSees = await t.http().get('/api/v1/systems').set(bearer(tokens.otherAdmin)).expect(200);
    expect(otherSees.body.items.map((s: { id: string }) => s.id)).toContain(system.id);
    expect(new Set(otherSees.body.items.map((s: { departmentId: string }) => s.departmentId))).toEqual(
      new Set([tree.other.id]),
    );
  });

  it("a dept-admin cannot put its systems and hosts in another department's server room", async () => {
    const room = (
      await t
        .http()
        .post('/api/v1/server-rooms')
        .set(bearer(tokens.operator))
        .send(aRoom(tree.other.id))
        .expect(201)
    ).body;
    const admin = tokens.deptAdmin;
    const refused = async (res: { status: number; body: { message: string } }) =>
      expect({ status: res.status, message: res.body.message }).toEqual({
        status: 400,
        message: expect.stringMatching(/^serverRoomId: /),
      });
    const post = (path: string, body: object) => t.http().post(path).set(bearer(admin)).send(body);
    await refused(await post('/api/v1/systems', aSystem(tree.dept.id, { serverRoomId: room.id })));
    await refused(await post('/api/v1/hosts', aHost(tree.dept.id, { serverRoomId: room.id })));
    const system = await postSystem(t, admin, tree.dept.id);
    const host = (await post('/api/v1/hosts', aHost(tree.dept.id)).expect(201)).body;
    const patch = (path: string) => t.http().patch(path).set(bearer(admin)).send({ serverRoomId: room.id });
    await refused(await patch(`/api/v1/systems/${system.id}`));
    await refused(await patch(`/api/v1/hosts/${host.id}`));
    // The room's closure is not blocked by them, and a room that does not exist answers alike.
    const blockers = await t.dataSource.query(
      `SELECT id FROM information_systems WHERE server_room_id = $1
       UNION ALL SELECT id FROM hosts WHERE server_room_id = $1`,
      [room.id],
    );
    expect(blockers).toEqual([]);
    await refused(
      await post(
        '/api/v1/hosts',
        aHost(tree.dept.id, { serverRoomId: '00000000-0000-4000-8000-000000000000' }),
      ),
    );
    // Operators place anything anywhere; a dept-admin its own rooms.
    const own = (
      await t.http().post('/api/v1/server-rooms').set(bearer(admin)).send(aRoom(tree.dept.id)).expect(201)
    ).body;
    await post('/api/v1/hosts', aHost(tree.unit.id, { serverRoomId: own.id })).expect(201);
    await t
      .http()
      .post('/api/v1/systems')
      .set(bearer(tokens.operator))
      .send(aSystem(tree.dept.id, { serverRoomId: room.id }))
      .expect(201);
  });
});
