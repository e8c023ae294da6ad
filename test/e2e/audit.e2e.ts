import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';

describe('audit log', () => {
  let t: TestApp;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;
  let departmentId: string;

  beforeAll(async () => {
    // API and worker in one process: the export goes API → outbox → BullMQ → worker → database.
    t = await startApp({ api: true, worker: true });
    const tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
    const res = await t
      .http()
      .post('/api/v1/departments')
      .set(bearer(tokens.operator))
      .send({ code: unique('aud'), name: '市审管办', kind: 'department', parentId: tree.city.id })
      .expect(201);
    departmentId = res.body.id;
  });
  afterAll(() => t.close());

  it('records actor, role, action, target, department, before/after and request id', async () => {
    await t
      .http()
      .patch(`/api/v1/departments/${departmentId}`)
      .set(bearer(tokens.operator))
      .set('X-Request-Id', 'req-audit-1')
      .send({ name: '市审批管理办公室' })
      .expect(200);
    const res = await t
      .http()
      .get(`/api/v1/audit?targetType=department&targetId=${departmentId}`)
      .set(bearer(tokens.operator))
      .expect(200);
    const update = res.body.items.find((e: { action: string }) => e.action === 'department.update');
    expect(update).toMatchObject({ role: 'operator', departmentId, requestId: 'req-audit-1' });
    expect(update.before.name).toBe('市审管办');
    expect(update.after.name).toBe('市审批管理办公室');
  });

  it('filters by actor name and by action, exactly or by its kind', async () => {
    const search = async (query: string) =>
      (
        await t
          .http()
          .get(`/api/v1/audit?targetId=${departmentId}&${query}`)
          .set(bearer(tokens.auditor))
          .expect(200)
      ).body.items
        .map((e: { action: string }) => e.action)
        .sort();
    const [{ actorName }] = (
      await t.http().get(`/api/v1/audit?targetId=${departmentId}`).set(bearer(tokens.auditor)).expect(200)
    ).body.items;
    expect(await search(`actorName=${actorName}`)).toEqual(['department.create', 'department.update']);
    expect(await search('actorName=nobody-of-that-name')).toEqual([]);
    expect(await search('action=department.update')).toEqual(['department.update']);
    expect(await search('action=department.')).toEqual(['department.create', 'department.update']);
    expect(await search('action=department')).toEqual([]);
    const bad = await t
      .http()
      .get(`/api/v1/audit?action=${'x'.repeat(65)}`)
      .set(bearer(tokens.auditor))
      .expect(400);
    expect(bad.body.message).toMatch(/^action/);
  });

  it('is readable by operators and auditors only', async () => {
    await t.http().get('/api/v1/audit').set(bearer(tokens.auditor)).expect(200);
    for (const token of [tokens.finance, tokens.deptAdmin])
      await t.http().get('/api/v1/audit').set(bearer(token)).expect(403);
    await t.http().get('/api/v1/audit').expect(401);
    const bad = await t.http().get('/api/v1/audit?from=yesterday').set(bearer(tokens.auditor)).expect(400);
    expect(bad.body.message).toMatch(/^from/);
  });

  it('refuses, naming the field, a date-time whose UTC offset PostgreSQL cannot read, before an export is queued', async () => {
    for (const [field, value] of [
      ['from', '2024-01-01T00:00:00+19:00'],
      ['to', '2024-01-01T00:00:00-18:30'],
    ]) {
      const search = await t
        .http()
        .get('/api/v1/audit')
        .query({ [field]: value })
        .set(bearer(tokens.auditor))
        .expect(400);
      expect(search.body.message).toMatch(new RegExp(`^${field} must`));
      const exported = await t
        .http()
        .post('/api/v1/audit/exports')
        .set(bearer(tokens.auditor))
        .send({ [field]: value })
        .expect(400);
      expect(exported.body.message).toMatch(new RegExp(`^${field} must`));
    }
    await t
      .http()
      .get('/api/v1/audit?from=2024-01-01T00:00:00%2B14:00')
      .set(bearer(tokens.auditor))
      .expect(200);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE of audit entries', async () => {
    await expect(t.dataSource.query(`UPDATE audit_entries SET action = 'forged'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.dataSource.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
  });

  it('exports to CSV through the queue and a worker', async () => {
    const requested = await t
      .http()
      .post('/api/v1/audit/exports')
      .set(bearer(tokens.auditor))
      .send({ targetType: 'department', targetId: departmentId })
      .expect(202);
    expect(requested.body.state).toBe('queued');
    let state = 'queued';
    for (let i = 0; i < 100 && state !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await t.http().get(`/api/v1/audit/exports/${requested.body.id}`).set(bearer(tokens.auditor)))
        .body.state;
    }
    expect(state).toBe('done');
    const csv = await t
      .http()
      .get(`/api/v1/audit/exports/${requested.body.id}/content`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text).toContain('操作 action');
    expect(csv.text).toContain('department.update');
    const outbox = await t.dataSource.query(
      "SELECT done_at FROM outbox_messages WHERE payload->>'exportId' = $1",
      [requested.body.id],
    );
    expect(outbox[0].done_at).not.toBeNull();
  });
});
