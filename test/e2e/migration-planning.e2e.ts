import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { aResource, aSystem, backdate, evidenceFor, walk } from '../support/inventory.js';

describe('migration planning and reports', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;

  beforeAll(async () => {
    t = await startApp();
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  const create = async (departmentId: string, extra: Record<string, unknown> = {}) =>
    (
      await t
        .http()
        .post('/api/v1/systems')
        .set(bearer(tokens.operator))
        .send(aSystem(departmentId, extra))
        .expect(201)
    ).body;
  const move = (id: string, to: Parameters<typeof evidenceFor>[0]) =>
    t
      .http()
      .post(`/api/v1/systems/${id}/transitions`)
      .set(bearer(tokens.operator))
      .send(evidenceFor(to))
      .expect(200);

  describe('waves', () => {
    it('suggests the easiest systems first and fills the wave with them', async () => {
      const dept = await t.world.department('department', tree.city);
      const easy = await create(dept.id, { name: '易-门户' });
      const medium = await create(dept.id, { name: '中-审批', architecture: 'C/S' });
      const hard = await create(dept.id, { name: '难-调度', protectionLevel: 4, availability: 'critical' });
      await create(dept.id, { name: '涉密-档案', classification: 'classified' });
      await create(dept.id, { name: '无人用', userCount: 0 });
      const wave = (
        await t
          .http()
          .post('/api/v1/migration/waves')
          .set(bearer(tokens.operator))
          .send({ name: `第一批-${dept.code}`, targetDate: '2026-12-31' })
          .expect(201)
      ).body;
      const suggestion = await t
        .http()
        .get(`/api/v1/migration/waves/${wave.id}/suggestion?size=2&departmentId=${dept.id}`)
        .set(bearer(tokens.finance))
        .expect(200);
      expect(suggestion.body.map((s: { id: string }) => s.id)).toEqual([easy.id, medium.id]);
      const filled = await t
        .http()
        .post(`/api/v1/migration/waves/${wave.id}/fill`)
        .set(bearer(tokens.operator))
        .send({ size: 10, departmentId: dept.id })
        .expect(200);
      expect(filled.body.map((s: { id: string }) => s.id).sort()).toEqual(
        [easy.id, medium.id, hard.id].sort(),
      );
      const again = await t
        .http()
        .get(`/api/v1/migration/waves/${wave.id}/suggestion?departmentId=${dept.id}`)
        .set(bearer(tokens.operator))
        .expect(200);
      expect(again.body).toEqual([]);
      const waves = await t.http().get('/api/v1/migration/waves').set(bearer(tokens.auditor)).expect(200);
      expect(waves.body.find((w: { id: string }) => w.id === wave.id)).toMatchObject({
        systems: 3,
        byStatus: { inventoried: 3 },
        targetDate: '2026-12-31',
      });

      const second = (
        await t
          .http()
          .post('/api/v1/migration/waves')
          .set(bearer(tokens.operator))
          .send({ name: `第二批-${dept.code}`, targetDate: '2027-06-30' })
          .expect(201)
      ).body;
      await t
        .http()
        .post(`/api/v1/migration/waves/${second.id}/systems`)
        .set(bearer(tokens.operator))
        .send({ systemIds: [hard.id] })
        .expect(409);
      await t.http().delete(`/api/v1/migration/waves/${wave.id}`).set(bearer(tokens.operator)).expect(409);
      await t
        .http()
        .delete(`/api/v1/migration/waves/${wave.id}/systems/${hard.id}`)
        .set(bearer(tokens.operator))
        .expect(204);
      await t
        .http()
        .post(`/api/v1/migration/waves/${second.id}/systems`)
        .set(bearer(tokens.operator))
        .send({ systemIds: [hard.id] })
        .expect(200);
      expect(
        (await t.http().get(`/api/v1/systems/${hard.id}`).set(bearer(tokens.operator))).body.waveId,
      ).toBe(second.id);
      await t
        .http()
        .post('/api/v1/migration/waves')
        .set(bearer(tokens.deptAdmin))
        .send({ name: 'x', targetDate: '2026-01-01' })
        .expect(403);
      const bad = await t
        .http()
        .post('/api/v1/migration/waves')
        .set(bearer(tokens.operator))
        .send({ name: 'x', targetDate: '2026-02-30' })
        .expect(400);
      expect(bad.body.message).toMatch(/^targetDate/);
    });
    it('takes no retired system, and counts one retired after it joined apart from its work', async () => {
      const dept = await t.world.department('department', tree.city);
      const [a, b, gone] = [await create(dept.id), await create(dept.id), await create(dept.id)];
      await move(gone.id, 'retired');
      const wave = (
        await t
          .http()
          .post('/api/v1/migration/waves')
          .set(bearer(tokens.operator))
          .send({ name: `退役-${dept.code}`, targetDate: '2027-06-30' })
          .expect(201)
      ).body;
      const add = (systemIds: string[]) =>
        t
          .http()
          .post(`/api/v1/migration/waves/${wave.id}/systems`)
          .set(bearer(tokens.operator))
          .send({ systemIds });
      const refused = await add([a.id, gone.id]).expect(409);
      expect(refused.body.message).toBe(`systemIds: ${gone.name} (retired) will not migrate`);
      await add([a.id, b.id]).expect(200);
      await walk(t, tokens.operator, 'systems', a.id, 'migrated');
      await move(b.id, 'retired');
      const waves = await t.http().get('/api/v1/migration/waves').set(bearer(tokens.auditor)).expect(200);
      expect(waves.body.find((w: { id: string }) => w.id === wave.id)).toMatchObject({
        systems: 1,
        byStatus: { migrated: 1, retired: 1 },
      });
    });
  });

  it('links a migrated system to the cloud resources of its department', async () => {
    const system = await create(tree.dept.id);
    const own = await aResource(t, tree.dept.id);
    const foreign = await aResource(t, tree.other.id);
    const refused = await t
      .http()
      .put(`/api/v1/systems/${system.id}/resources`)
      .set(bearer(tokens.deptAdmin))
      .send({ resourceIds: [own, foreign] })
      .expect(400);
    expect(refused.body.message).toMatch(/^resourceIds/);
    await t
      .http()
      .put(`/api/v1/systems/${system.id}/resources`)
      .set(bearer(tokens.deptAdmin))
      .send({ resourceIds: [own] })
      .expect(200);
    expect(
      (await t.http().get(`/api/v1/systems/${system.id}`).set(bearer(tokens.auditor))).body.resourceIds,
    ).toEqual([own]);
  });

  describe('the statistics table', () => {
    let city: Awaited<ReturnType<TestApp['world']['department']>>;
    let bureau: Awaited<ReturnType<TestApp['world']['department']>>;
    let unit: Awaited<ReturnType<TestApp['world']['department']>>;
    let other: Awaited<ReturnType<TestApp['world']['department']>>;

    // History: 2025-01-10 four systems inventoried in the unit, one classified in the bureau, one in
    // other; 2025-03-05 A migrating; 2025-04-20 A migrated, B migrating; 2025-06-01 B migrated,
    // C retired; 2025-07-01 the classified one exempted. D stays inventoried.
    beforeAll(async () => {
      city = await t.world.department('city', undefined, { name: '报表市' });
      bureau = await t.world.department('department', city, { name: '市统计局' });
      unit = await t.world.department('unit', bureau, { name: '普查中心' });
      other = await t.world.department('department', city, { name: '市民政局' });
      const [a, b, c, d] = [
        await create(unit.id),
        await create(unit.id),
        await create(unit.id),
        await create(unit.id),
      ];
      const secret = await create(bureau.id, { classification: 'classified' });
      const elsewhere = await create(other.id);
      await walk(t, tokens.operator, 'systems', a.id, 'migrated');
      await walk(t, tokens.operator, 'systems', b.id, 'migrated');
      await move(c.id, 'retired');
      await move(secret.id, 'exempted');
      for (const s of [a, b, c, d, secret, elsewhere]) await backdate(t, s.id, 'inventoried', '2025-01-10');
      for (const s of ['assessed', 'planned', 'migrating'] as const) await backdate(t, a.id, s, '2025-03-05');
      for (const s of ['verifying', 'migrated'] as const) await backdate(t, a.id, s, '2025-04-20');
      for (const s of ['assessed', 'planned', 'migrating'] as const) await backdate(t, b.id, s, '2025-04-20');
      for (const s of ['verifying', 'migrated'] as const) await backdate(t, b.id, s, '2025-06-01');
      await backdate(t, c.id, 'retired', '2025-06-01');
      await backdate(t, secret.id, 'exempted', '2025-07-01');
    });

    const table = async (asOf: string, token = tokens.operator, extra = '') =>
      (
        await t
          .http()
          .get(`/api/v1/reports/migration?asOf=${asOf}&departmentId=${city.id}${extra}`)
          .set(bearer(token))
          .expect(200)
      ).body;
    const rowOf = (body: { rows: Array<{ departmentId: string }> }, id: string) =>
      body.rows.find((r) => r.departmentId === id);

    it('reconstructs each date from the history, rolled up the tree', async () => {
      expect((await table('2025-01-09')).totals).toMatchObject({ total: 0, rate: null });
      const jan = await table('2025-01-10');
      expect(rowOf(jan, unit.id)).toMatchObject({
        total: 4,
        nonClassified: 4,
        migrated: 0,
        notMigrated: 4,
        rate: 0,
      });
      expect(rowOf(jan, bureau.id)).toMatchObject({
        total: 5,
        classified: 1,
        nonClassified: 4,
        notMigrated: 5,
      });
      expect(rowOf(jan, city.id)).toMatchObject({ total: 6, nonClassified: 5 });
      const march = await table('2025-03-05');
      expect(rowOf(march, unit.id)).toMatchObject({ migrating: 1, notMigrated: 3, migrated: 0 });
      const april = await table('2025-04-20');
      expect(rowOf(april, unit.id)).toMatchObject({ migrated: 1, migrating: 1, notMigrated: 2, rate: 25 });
      const june = await table('2025-06-01');
      // C retired leaves the denominator: 2 migrated of 3 in scope.
      expect(rowOf(june, unit.id)).toMatchObject({
        migrated: 2,
        migrating: 0,
        notMigrated: 1,
        exemptedOrRetired: 1,
        rate: 66.67,
      });
      expect(rowOf(june, bureau.id)).toMatchObject({ notMigrated: 2, exemptedOrRetired: 1 });
      const july = await table('2025-07-01');
      expect(rowOf(july, bureau.id)).toMatchObject({
        total: 5,
        migrated: 2,
        notMigrated: 1,
        exemptedOrRetired: 2,
        rate: 66.67,
      });
      expect(july.totals).toMatchObject({
        total: 6,
        classified: 1,
        nonClassified: 5,
        migrated: 2,
        notMigrated: 2,
        exemptedOrRetired: 2,
        rate: 50,
      });
      expect(rowOf(july, other.id)).toMatchObject({ total: 1, migrated: 0, rate: 0 });
    });

    it('shows each department its gap to the next target in scope', async () => {
      await t
        .http()
        .post('/api/v1/migration/targets')
        .set(bearer(tokens.operator))
        .send({ dueDate: '2025-12-31', percentage: 80, scopeDepartmentId: bureau.id, label: '市级部门80%' })
        .expect(201);
      await t
        .http()
        .post('/api/v1/migration/targets')
        .set(bearer(tokens.operator))
        .send({ dueDate: '2026-12-31', percentage: 100, scopeDepartmentId: city.id })
        .expect(201);
      const june = await table('2025-06-01');
      // 80% of 3 in scope is 2.4 → 3 systems; 2 migrated → gap 1.
      expect(rowOf(june, unit.id)).toMatchObject({
        nextTarget: { dueDate: '2025-12-31', percentage: '80.00' },
        gap: 1,
      });
      expect(rowOf(june, other.id)).toMatchObject({
        nextTarget: { dueDate: '2026-12-31', percentage: '100.00' },
        gap: 1,
      });
      const next = await table('2026-01-01');
      expect(rowOf(next, unit.id)).toMatchObject({ nextTarget: { dueDate: '2026-12-31' }, gap: 1 });
      const bad = await t
        .http()
        .post('/api/v1/migration/targets')
        .set(bearer(tokens.operator))
        .send({ dueDate: '2026-12-31', percentage: 120 })
        .expect(400);
      expect(bad.body.message).toMatch(/^percentage/);
    });

    it('answers CSV and XLSX with the Chinese columns and a totals row', async () => {
      const csv = await t
        .http()
        .get(`/api/v1/reports/migration?asOf=2025-07-01&format=csv&departmentId=${city.id}`)
        .set(bearer(tokens.finance))
        .expect(200);
      const lines = csv.text.replace(/^\uFEFF/, '').split(/\r?\n/);
      expect(lines[0]).toMatch(/^单位,编码,系统总数,涉密,非涉密,已迁移,迁移中,未迁移,豁免\/退役,迁移率/);
      expect(lines.find((l) => l.includes('市统计局'))).toContain('66.67%');
      expect(lines.find((l) => l.startsWith('合计'))).toMatch(/^合计 Total,,6,1,5,2,0,2,2,50.00%/);
      const xlsx = await t
        .http()
        .get(`/api/v1/reports/migration?asOf=2025-07-01&format=xlsx&departmentId=${city.id}`)
        .set(bearer(tokens.auditor))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.body as ArrayBuffer);
      expect(workbook.worksheets[0].getCell('A1').value).toBe('单位');
      expect(workbook.worksheets[0].getCell('C3').value).toBe(6);
    });

    it('a dept-admin sees its own subtree; another department answers 404', async () => {
      const admin = await t.world.token('dept-admin', bureau.id);
      const own = (
        await t.http().get('/api/v1/reports/migration?asOf=2025-07-01').set(bearer(admin)).expect(200)
      ).body;
      expect(own.rows.map((r: { departmentId: string }) => r.departmentId)).toEqual([bureau.id, unit.id]);
      expect(own.totals.total).toBe(5);
      await t.http().get(`/api/v1/reports/migration?departmentId=${other.id}`).set(bearer(admin)).expect(404);
      await t.http().get('/api/v1/reports/migration?asOf=2025-13-01').set(bearer(admin)).expect(400);
    });

    it('burns up week by week', async () => {
      const res = await t
        .http()
        .get(`/api/v1/reports/migration/burnup?from=2025-04-01&to=2025-06-10&departmentId=${city.id}`)
        .set(bearer(tokens.auditor))
        .expect(200);
      const weeks = res.body.weeks as Array<{
        weekStart: string;
        weekEnd: string;
        migrated: number;
        nonClassified: number;
      }>;
      expect(weeks[0]).toEqual({
        weekStart: '2025-03-31',
        weekEnd: '2025-04-06',
        migrated: 0,
        nonClassified: 5,
      });
      expect(weeks.find((w) => w.weekStart === '2025-04-14')).toMatchObject({ migrated: 1 });
      // C retired on 2025-06-01 leaves the scope from that week on, as it leaves the table's rate.
      expect(weeks.find((w) => w.weekStart === '2025-05-19')).toMatchObject({
        migrated: 1,
        nonClassified: 5,
      });
      expect(weeks.find((w) => w.weekStart === '2025-05-26')).toMatchObject({
        migrated: 2,
        nonClassified: 4,
      });
      expect(weeks.at(-1)).toMatchObject({ weekStart: '2025-06-09', migrated: 2 });
      expect(weeks.map((w) => w.migrated)).toEqual([...weeks.map((w) => w.migrated)].sort((x, y) => x - y));
    });

    it('refuses a burn-up over more than ten years, which would cross every system with every week', async () => {
      const res = await t
        .http()
        .get('/api/v1/reports/migration/burnup?from=1000-01-01&to=9999-12-31')
        .set(bearer(tokens.auditor));
      expect({ status: res.status, message: res.body.message }).toEqual({
        status: 400,
        message: expect.stringMatching(/^from: /),
      });
      await t
        .http()
        .get('/api/v1/reports/migration/burnup?from=2016-01-01&to=2025-12-31')
        .set(bearer(tokens.auditor))
        .expect(200);
    });
  });
});
