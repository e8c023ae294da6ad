import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { rootLogger } from '../../common/logger.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { MetricsService } from '../health/metrics.service.js';
import { JobName } from '../jobs/job-catalogue.js';
import { OnJob } from '../jobs/on-job.decorator.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { BudgetAlert, DepartmentBudget } from './entities/budget.entity.js';
import { Dec, formatAmount, roundLine, sum } from './money.js';
import { parsePeriod } from './period.js';
import { RebillsService } from './rebills.service.js';
import { UsageReportService } from './usage-report.service.js';
import type { BudgetStatus } from './views.js';

/**
 * Yearly budgets per department and the overspend forecast: the month-to-date spend rate (from the
 * current month's draft, or its usage metered live when it has no run yet) carried to the end of the
 * year, on top of what earlier months cost. An overspend raises an alert once a month: a budget_alerts row and an audit
 * entry (the event), the govcloud_budget_overspend_forecast gauge (the metric), and the budget report.
 */
@Injectable()
export class BudgetsService {
  private readonly log = rootLogger().child({ component: 'budgets' });
  private readonly overspendGauge: Gauge;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
    private readonly rebills: RebillsService,
    private readonly usage: UsageReportService,
    metrics: MetricsService,
  ) {
    this.overspendGauge = metrics.gauge(
      'govcloud_budget_overspend_forecast',
      '1 when the department subtree is forecast to exceed its yearly budget at the current run rate',
      ['department'],
    );
  }

  async set(departmentId: string, year: number, amount: string): Promise<DepartmentBudget> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(DepartmentBudget);
      const before = await repo.findOneBy({ departmentId, year });
      await repo.upsert({ departmentId, year, amount: new Dec(amount) }, ['departmentId', 'year']);
      const after = await repo.findOneByOrFail({ departmentId, year });
      await this.audit.record(manager, {
        action: 'budget.set',
        targetType: 'budget',
        targetId: after.id,
        departmentId,
        before: before && { year, amount: formatAmount(before.amount) },
        after: { year, amount: formatAmount(after.amount) },
      });
      return after;
    });
  }

  /** Every budget of the year the caller may see, with spend and forecast as of `now`. */
  async report(principal: Principal, year: number, now = new Date()): Promise<BudgetStatus[]> {
    const prefix = (await this.scope.pathPrefix(principal)) ?? '/';
    const budgets: Array<{
      id: string;
      departmentId: string;
      code: string;
      name: string;
      path: string;
      amount: string;
    }> = await this.dataSource.query(
      `SELECT b.id, b.department_id AS "departmentId", d.code, d.name, d.path, b.amount::text AS amount
         FROM department_budgets b JOIN departments d ON d.id = b.department_id
         WHERE b.year = $1 AND d.path LIKE $2 ORDER BY d.path`,
      [year, `${prefix}%`],
    );
    if (budgets.length === 0) return [];
    // Every month of the year so far: its rebill run's lines, or, with no run, its usage metered live.
    const usage = await this.usage.usage(principal, { from: `${year}-01`, to: `${year}-12` }, now);
    const paths = new Map<string, string>(
      (
        await this.dataSource.query(`SELECT id, path FROM departments WHERE path LIKE $1`, [`${prefix}%`])
      ).map((d: { id: string; path: string }) => [d.id, d.path]),
    );
    const current = usage.totals.find((m) => parsePeriod(m.month).end.getTime() > now.getTime());
    // The current draft's corrections of finalised months are spent, but they are no run rate.
    const corrections: Array<{ departmentId: string; amount: string }> = current?.rebillId
      ? await this.dataSource.query(
          `SELECT department_id AS "departmentId", SUM(amount)::text AS amount FROM rebill_lines
           WHERE line_set_id = (SELECT line_set_id FROM rebill_runs WHERE id = $1) AND kind = 'adjustment'
           GROUP BY department_id`,
          [current.rebillId],
        )
      : [];
    const alerts: Array<{ departmentId: string; raisedAt: Date }> = await this.dataSource.query(
      `SELECT department_id AS "departmentId", MAX(raised_at) AS "raisedAt" FROM budget_alerts WHERE month LIKE $1
       GROUP BY department_id`,
      [`${year}-%`],
    );
    const yearEnd = Date.UTC(year + 1, 0, 1);
    return budgets.map((b) => {
      const rows = usage.rows.filter((r) => paths.get(r.departmentId)?.startsWith(b.path));
      const spent = sum(rows.map((r) => new Dec(r.amount)));
      let forecast = spent;
      if (current) {
        // The current month's rate so far, carried from where it was metered to the end of the year.
        const mtd = sum(rows.filter((r) => r.month === current.month).map((r) => new Dec(r.amount))).minus(
          sum(
            corrections
              .filter((c) => paths.get(c.departmentId)?.startsWith(b.path))
              .map((c) => new Dec(c.amount)),
          ),
        );
        const until = current.meteredUntil.getTime();
        const metered = until - parsePeriod(current.month).from.getTime();
        if (metered > 0) forecast = forecast.plus(mtd.times(yearEnd - until).div(metered));
      }
      forecast = roundLine(forecast);
      const budget = new Dec(b.amount);
      return {
        departmentId: b.departmentId,
        code: b.code,
        name: b.name,
        year,
        budget: formatAmount(budget),
        spent: formatAmount(spent),
        forecast: formatAmount(forecast),
        overspend: forecast.gt(budget),
        monthsWithoutRebill: usage.totals.filter((m) => m.rebillId === null).map((m) => m.month),
        alertRaisedAt: alerts.find((a) => a.departmentId === b.departmentId)?.raisedAt ?? null,
      };
    });
  }

  /**
   * Meters the current month up to now (its draft), then raises an alert for each budget forecast to be
   * exceeded, at most once per department and month. Safe with many workers: alerts are unique per month.
   */
  async check(now = new Date()): Promise<BudgetStatus[]> {
    const month = now.toISOString().slice(0, 7);
    try {
      await this.rebills.compute(month, now);
    } catch (error) {
      // A finalised current month cannot happen (it has not ended); anything else is reported and retried.
      this.log.warn(
        { err: (error as Error).message, month },
        'could not meter the current month for budgets',
      );
    }
    const system: Principal = { userId: '', username: 'system', role: 'finance', departmentId: null };
    const statuses = await this.report(system, now.getUTCFullYear(), now);
    for (const s of statuses) {
      this.overspendGauge.set({ department: s.code }, s.overspend ? 1 : 0);
      if (!s.overspend) continue;
      await this.dataSource.transaction(async (manager) => {
        const inserted = await manager
          .createQueryBuilder()
          .insert()
          .into(BudgetAlert)
          .values({
            departmentId: s.departmentId,
            month,
            budget: new Dec(s.budget),
            forecast: new Dec(s.forecast),
            raisedAt: now,
          })
          .orIgnore()
          .returning('id')
          .execute();
        if (inserted.raw.length === 0) return;
        s.alertRaisedAt = now;
        await this.audit.record(manager, {
          action: 'budget.overspend-forecast',
          targetType: 'budget',
          targetId: inserted.raw[0].id,
          departmentId: s.departmentId,
          after: { year: s.year, budget: s.budget, spent: s.spent, forecast: s.forecast },
        });
        this.log.warn(
          { department: s.code, budget: s.budget, forecast: s.forecast },
          'budget overspend forecast',
        );
      });
    }
    return statuses;
  }

  @OnJob(JobName.BudgetCheck)
  async scheduledCheck(): Promise<'success'> {
    await this.check();
    return 'success';
  }
}
