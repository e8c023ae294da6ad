import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Principal } from '../../src/modules/auth/principal.js';
import { MigrationReportService } from '../../src/modules/migration/migration-report.service.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { postSystem, walk } from '../support/inventory.js';

// The city's day ends at 16:00 UTC; UTC's ends at 08:00 in the city. Every instant below falls between
// the two, where the days differ.
describe("the migration statistics and burn-up count the city's days (China Standard Time)", () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;
  const operator: Principal = { userId: '', username: 'operator', role: 'operator', departmentId: null };

  beforeAll(async () => {
    t = await startApp();
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  /** A department of its own holding one system, inventoried on 2025-06-01 and migrated at `at`. */
  async function oneSystemMigratedAt(at: string) {
    const dept = await t.world.department('department', tree.city);
    const system = await postSystem(t, tokens.operator, dept.id);
    await walk(t, tokens.operator, 'systems', system.id, 'migrated');
    await t.dataSource.query(
      `UPDATE migration_transitions SET at = '2025-06-01T12:00:00+08:00' WHERE subject_id = $1`,
      [system.id],
    );
    await t.dataSource.query(
      `UPDATE migration_transitions SET at = $2 WHERE subject_id = $1 AND to_status IN ('verifying', 'migrated')`,
      [system.id, at],
    );
    return dept;
  }
  const target = (departmentId: string, dueDate: string) =>
    t
      .http()
      .post('/api/v1/migration/targets')
      .set(bearer(tokens.operator))
      .send({ dueDate, percentage: 100, scopeDepartmentId: departmentId })
      .expect(201);
  const table = async (departmentId: string, asOf: string) =>
    (
      await t
        .http()
        .get(`/api/v1/reports/migration?asOf=${asOf}&departmentId=${departmentId}`)
        .set(bearer(tokens.operator))
        .expect(200)
    ).body;

  it('a system migrated at 07:30 on 1 January misses the target due on 31 December', async () => {
    const dept = await oneSystemMigratedAt('2026-01-01T07:30:00+08:00');
    await target(dept.id, '2025-12-31');
    const dec31 = await table(dept.id, '2025-12-31');
    expect(dec31.totals).toMatchObject({ migrated: 0, migrating: 1, rate: 0 });
    expect(dec31.rows[0]).toMatchObject({ nextTarget: { dueDate: '2025-12-31' }, gap: 1 });
    expect((await table(dept.id, '2026-01-01')).totals).toMatchObject({
      migrated: 1,
      migrating: 0,
      rate: 100,
    });
  });

  it('a system migrated at 00:10 on the due day is not yet migrated the day before', async () => {
    const dept = await oneSystemMigratedAt('2025-12-31T00:10:00+08:00');
    await target(dept.id, '2025-12-31');
    expect((await table(dept.id, '2025-12-30')).rows[0]).toMatchObject({ migrated: 0, gap: 1 });
    expect((await table(dept.id, '2025-12-31')).rows[0]).toMatchObject({ migrated: 1, gap: 0 });
  });

  it("takes today in the city as the default day: after midnight there, yesterday's target is past", async () => {
    const dept = await oneSystemMigratedAt('2025-12-20T10:00:00+08:00');
    await target(dept.id, '2025-12-31');
    await target(dept.id, '2026-06-30');
    const reports = t.app.get(MigrationReportService);
    const dueDay = await reports.report(operator, undefined, dept.id, new Date('2025-12-31T23:30:00+08:00'));
    expect(dueDay).toMatchObject({ asOf: '2025-12-31', rows: [{ nextTarget: { dueDate: '2025-12-31' } }] });
    const dayAfter = await reports.report(
      operator,
      undefined,
      dept.id,
      new Date('2026-01-01T00:30:00+08:00'),
    );
    expect(dayAfter).toMatchObject({ asOf: '2026-01-01', rows: [{ nextTarget: { dueDate: '2026-06-30' } }] });
  });

  it("burns up in the city's weeks: a system migrated at 07:30 on a Monday counts in that week", async () => {
    const dept = await oneSystemMigratedAt('2026-01-05T07:30:00+08:00');
    const res = await t
      .http()
      .get(`/api/v1/reports/migration/burnup?from=2025-12-29&to=2026-01-11&departmentId=${dept.id}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(res.body.weeks).toEqual([
      { weekStart: '2025-12-29', weekEnd: '2026-01-04', migrated: 0, nonClassified: 1 },
      { weekStart: '2026-01-05', weekEnd: '2026-01-11', migrated: 1, nonClassified: 1 },
    ]);
    const early = await t.app
      .get(MigrationReportService)
      .burnup(operator, { departmentId: dept.id }, new Date('2026-01-05T00:30:00+08:00'));
    expect(early).toMatchObject({ to: '2026-01-05', from: '2025-10-13' });
    expect(early.weeks.at(-1)).toMatchObject({ weekStart: '2026-01-05' });
  });
});
