import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BudgetsService } from '../../src/modules/billing/budgets.service.js';
import { Dec } from '../../src/modules/billing/money.js';
import { RebillsService } from '../../src/modules/billing/rebills.service.js';
import { BillingWorld } from '../support/billing.js';
import { aHost, aSystem } from '../support/inventory.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';

describe('finance reports', () => {
  let t: TestApp;
  let b: BillingWorld;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let pool: string;
  const get = (path: string, token = tokens.finance) => t.http().get(path).set(bearer(token));

  beforeAll(async () => {
    t = await startApp();
    b = new BillingWorld(t.dataSource);
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
    pool = await b.pool();
    await b.card(pool, '2010-01-01', { vcpuHour: '1' });
  });
  afterAll(() => t.close());

  it('reports usage and cost per department and month: chargeback when finalised, showback otherwise', async () => {
    // 1 vCPU from 1 May 2015: May 744 h, June 720 h, July 744 h at 1 CNY.
    await b.resource(tree.dept.id, pool, { vcpu: 1, memoryGiB: 0, storageGiB: 0 }, [
      ['running', '2015-05-01T00:00:00Z'],
    ]);
    await b.resource(tree.other.id, pool, { vcpu: 2, memoryGiB: 0, storageGiB: 0 }, [
      ['running', '2015-05-01T00:00:00Z'],
    ]);
    const may = (
      await t.http().post('/api/v1/rebills').set(bearer(tokens.finance)).send({ period: '2015-05' })
    ).body;
    await t.http().post(`/api/v1/rebills/${may.id}/finalize`).set(bearer(tokens.finance)).expect(200);
    await t
      .http()
      .post('/api/v1/rebills')
      .set(bearer(tokens.finance))
      .send({ period: '2015-06' })
      .expect(201);
    const res = await get(
      `/api/v1/reports/usage?from=2015-05&to=2015-07&departmentId=${tree.district.id}`,
    ).expect(200);
    expect(
      res.body.rows.map((r: Record<string, string>) => [
        r.month,
        r.basis,
        r.code,
        r.dimension,
        r.quantity,
        r.amount,
      ]),
    ).toEqual([
      ['2015-05', 'chargeback', tree.dept.code, 'vcpu', '744.000000', '744.00'],
      ['2015-06', 'showback', tree.dept.code, 'vcpu', '720.000000', '720.00'],
      // July has no run: metered live for the report.
      ['2015-07', 'showback', tree.dept.code, 'vcpu', '744.000000', '744.00'],
    ]);
    expect(res.body.totals.map((x: { amount: string }) => x.amount)).toEqual(['744.00', '720.00', '744.00']);
    const own = await get('/api/v1/reports/usage?from=2015-05&to=2015-05', tokens.deptAdmin).expect(200);
    expect(new Set(own.body.rows.map((r: { code: string }) => r.code))).toEqual(new Set([tree.dept.code]));
    await get(
      `/api/v1/reports/usage?from=2015-05&to=2015-05&departmentId=${tree.other.id}`,
      tokens.deptAdmin,
    ).expect(404);
    const csv = await get(
      `/api/v1/reports/usage?from=2015-05&to=2015-06&departmentId=${tree.dept.id}&format=csv`,
    ).expect(200);
    expect(csv.text).toContain('口径');
    expect(csv.text).toContain(`2015-05,chargeback,${tree.dept.code}`);
    const bad = await get('/api/v1/reports/usage?from=2015-07&to=2015-05').expect(400);
    expect(bad.body.message).toMatch(/^to/);
  });

  it('meters hosted equipment live as the draft does', async () => {
    const d = await t.world.department('department', tree.city);
    // Rack units are priced by the oldest self-managed pool's card (other suites may have made that pool).
    const [oldest] = await t.dataSource.query(
      `SELECT id FROM pools WHERE tier = 'self-managed' ORDER BY created_at, id LIMIT 1`,
    );
    await b.card(oldest?.id ?? (await b.pool('self-managed')), '2013-04-01', { rackUnitMonth: '150' });
    const system = await t
      .http()
      .post('/api/v1/systems')
      .set(bearer(tokens.operator))
      .send(aSystem(d.id))
      .expect(201);
    await t.dataSource.query(`UPDATE information_systems SET strategy_override = 'hosting' WHERE id = $1`, [
      system.body.id,
    ]);
    const host = await t
      .http()
      .post('/api/v1/hosts')
      .set(bearer(tokens.operator))
      .send(aHost(d.id, { rackUnit: '2U', systemIds: [system.body.id] }))
      .expect(201);
    await t.dataSource.query(
      `INSERT INTO migration_transitions (subject_type, subject_id, department_id, from_status, to_status, at, actor_name)
       VALUES ('host', $1, $2, 'verifying', 'migrated', '2013-04-16T00:00:00Z', 'test')`,
      [host.body.id, d.id],
    );
    const report = async () =>
      (
        await get(`/api/v1/reports/usage?from=2013-04&to=2013-04&departmentId=${d.id}`).expect(200)
      ).body.rows.map((r: Record<string, string>) => [
        r.month,
        r.basis,
        r.rebillId === null,
        r.dimension,
        r.quantity,
        r.amount,
      ]);
    // 2 U × 15/30 month × 150 = 150.00, metered live (no run) and from the draft alike.
    expect(await report()).toEqual([['2013-04', 'showback', true, 'rackUnit', '1.000000', '150.00']]);
    await t
      .http()
      .post('/api/v1/rebills')
      .set(bearer(tokens.finance))
      .send({ period: '2013-04' })
      .expect(201);
    expect(await report()).toEqual([['2013-04', 'showback', false, 'rackUnit', '1.000000', '150.00']]);
  });

  it('forecasts from live usage when the current month has no rebill run yet', async () => {
    // "Now" is 15 June 2011, 12:00 UTC, and no run exists for June: 100 vCPU at 1 CNY/h since 1 June
    // have used 14.5 days × 2,400 = 34,800.00; the same rate for the 199.5 days left makes 513,600.00.
    const now = new Date('2011-06-15T12:00:00Z');
    const d = await t.world.department('department', tree.city);
    await b.resource(d.id, pool, { vcpu: 100, memoryGiB: 0, storageGiB: 0 }, [
      ['running', '2011-06-01T00:00:00Z'],
    ]);
    const budgets = t.app.get(BudgetsService);
    await budgets.set(d.id, 2011, '100000.00');
    const statuses = await budgets.report(
      { userId: '', username: 'test', role: 'finance', departmentId: null },
      2011,
      now,
    );
    expect(statuses.find((s) => s.departmentId === d.id)).toMatchObject({
      spent: '34800.00',
      forecast: '513600.00',
      overspend: true,
      monthsWithoutRebill: ['2011-01', '2011-02', '2011-03', '2011-04', '2011-05', '2011-06'],
    });
    expect(await t.dataSource.query(`SELECT id FROM rebill_runs WHERE period LIKE '2011-%'`)).toEqual([]);
  });

  it('does not carry a correction of a finalised month forward as if it were the run rate', async () => {
    // 10 vCPU at 1 CNY/h from 1 February 2012: February billed 29 days × 240 = 6,960.00 and finalised.
    const d = await t.world.department('department', tree.city);
    const vm = await b.resource(d.id, pool, { vcpu: 10, memoryGiB: 0, storageGiB: 0 }, [
      ['running', '2012-02-01T00:00:00Z'],
    ]);
    const rebills = t.app.get(RebillsService);
    const feb = await rebills.compute('2012-02');
    await rebills.finalize(feb.id, null);
    // Reported late: it was deleted on 15 February, so March's draft takes back 15 days × 240 = 3,600.00.
    await b.events(vm, d.id, pool, { vcpu: 10, memoryGiB: 0, storageGiB: 0 }, [
      ['deleted', '2012-02-15T00:00:00Z'],
    ]);
    const now = new Date('2012-03-02T00:00:00Z');
    await rebills.compute('2012-03', now);
    const budgets = t.app.get(BudgetsService);
    await budgets.set(d.id, 2012, '5000.00');
    const [status] = (
      await budgets.report({ userId: '', username: 'test', role: 'finance', departmentId: null }, 2012, now)
    ).filter((s) => s.departmentId === d.id);
    // Nothing runs in March: the forecast is what was spent, 6,960.00 − 3,600.00.
    expect(status).toMatchObject({ spent: '3360.00', forecast: '3360.00', overspend: false });
  });

  it('forecasts overspend from the month-to-date run rate and raises one alert: event, metric, report', async () => {
    const now = new Date();
    const year = now.getUTCFullYear();
    const d = await t.world.department('department', tree.city);
    const low = await t.world.department('department', tree.city);
    // 100 vCPU running since the first of the month at 1 CNY/h: far beyond 1,000 CNY a year.
    const monthStart = `${now.toISOString().slice(0, 7)}-01T00:00:00Z`;
    await b.resource(d.id, pool, { vcpu: 100, memoryGiB: 0, storageGiB: 0 }, [['running', monthStart]]);
    const put = (id: string, amount: unknown, token = tokens.finance) =>
      t.http().put(`/api/v1/budgets/${id}`).set(bearer(token)).send({ year, amount });
    await put(d.id, '1000.00').expect(200);
    await put(low.id, '99999999.00').expect(200);
    await put(d.id, 1000).expect(400);
    await put(d.id, '10.001').expect(400);
    await put(d.id, '1000', tokens.deptAdmin).expect(403);
    const checked = await t.http().post('/api/v1/budgets/check').set(bearer(tokens.finance)).expect(200);
    const mine = checked.body.find((s: { departmentId: string }) => s.departmentId === d.id);
    expect(mine).toMatchObject({ budget: '1000.00', overspend: true });
    expect(new Dec(mine.forecast).gt(mine.spent)).toBe(true);
    expect(checked.body.find((s: { departmentId: string }) => s.departmentId === low.id).overspend).toBe(
      false,
    );
    await t.http().post('/api/v1/budgets/check').set(bearer(tokens.finance)).expect(200);
    const alerts = await t.dataSource.query('SELECT * FROM budget_alerts WHERE department_id = $1', [d.id]);
    expect(alerts).toHaveLength(1);
    const audit = await get(
      `/api/v1/audit?targetType=budget&targetId=${alerts[0].id}`,
      tokens.auditor,
    ).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['budget.overspend-forecast']);
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toContain(`govcloud_budget_overspend_forecast{department="${d.code}"} 1`);
    const report = await get(`/api/v1/reports/budgets?year=${year}`).expect(200);
    expect(report.body.find((s: { departmentId: string }) => s.departmentId === d.id).alertRaisedAt).toEqual(
      expect.any(String),
    );
  });
});
