import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { invalid } from '../../common/errors.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { Dec, formatAmount, sum } from './money.js';
import { parsePeriod, shiftPeriod } from './period.js';
import { METERING_SETTINGS, pricedLines } from './rebill-sql.js';
import { RateCardsService } from './rate-cards.service.js';
import { hostedLineParams, hostedLines, hostedLinesSql } from './rebill-lines.js';
import type { Basis, UsageRow, MonthTotal } from './views.js';

export const MAX_REPORT_MONTHS = 36;

/** Usage and cost per department, month and dimension, for a department subtree (or the caller's scope). */
@Injectable()
export class UsageReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly cards: RateCardsService,
  ) {}

  async usage(
    principal: Principal,
    query: { from: string; to: string; departmentId?: string },
    now = new Date(),
  ): Promise<{
    from: string;
    to: string;
    rows: UsageRow[];
    totals: MonthTotal[];
  }> {
    if (query.to < query.from) throw invalid('to', 'must not be before from');
    if (shiftPeriod(query.from, MAX_REPORT_MONTHS - 1) < query.to)
      throw invalid('to', `a report spans at most ${MAX_REPORT_MONTHS} months`);
    const prefix = query.departmentId
      ? (await this.scope.visible(principal, query.departmentId)).path
      : ((await this.scope.pathPrefix(principal)) ?? '/');
    const runs: Array<{ id: string; lineSetId: string; period: string; state: string; computedUntil: Date }> =
      await this.dataSource.query(
        `SELECT id, line_set_id AS "lineSetId", period, state, computed_until AS "computedUntil"
         FROM rebill_runs WHERE period BETWEEN $1 AND $2`,
        [query.from, query.to],
      );
    const rows: UsageRow[] = [];
    const totals: MonthTotal[] = [];
    for (let month = query.from; month <= query.to; month = shiftPeriod(month, 1)) {
      const p = parsePeriod(month);
      if (p.from.getTime() >= now.getTime()) break;
      const run = runs.find((r) => r.period === month);
      const basis: Basis = run?.state === 'finalized' ? 'chargeback' : 'showback';
      const meteredUntil = run?.computedUntil ?? new Date(Math.min(p.end.getTime(), now.getTime()));
      const found: Array<Omit<UsageRow, 'month' | 'basis' | 'rebillId'>> = await this.dataSource.transaction(
        async (manager) => {
          // Lines of the month's run; without one, the subtree's month is metered live (nothing is
          // stored), hosted equipment included as a draft has it.
          const source = run
            ? {
                sql: `SELECT * FROM rebill_lines WHERE line_set_id = $1`,
                params: [run.lineSetId] as unknown[],
              }
            : {
                sql: `(${pricedLines('$5')}) UNION ALL (${hostedLinesSql(6)})`,
                params: [
                  p.from,
                  meteredUntil,
                  p.monthMs,
                  month,
                  `${prefix}%`,
                  ...hostedLineParams((await hostedLines(manager, this.cards, p, meteredUntil)).lines),
                ],
              };
          const n = source.params.length;
          if (!run) for (const setting of METERING_SETTINGS) await manager.query(setting);
          return manager.query(
            `SELECT l.department_id AS "departmentId", d.code, d.name, l.dimension, l.unit,
                    SUM(l.quantity)::text AS quantity, SUM(l.amount)::numeric(18,2)::text AS amount
             FROM (${source.sql}) l JOIN departments d ON d.id = l.department_id
             WHERE d.path LIKE $${n + 1}
             GROUP BY l.department_id, d.code, d.name, d.path, l.dimension, l.unit
             ORDER BY d.path, l.dimension`,
            [...source.params, `${prefix}%`],
          );
        },
      );
      rows.push(...found.map((r) => ({ month, basis, rebillId: run?.id ?? null, ...r })));
      totals.push({
        month,
        basis,
        rebillId: run?.id ?? null,
        meteredUntil,
        amount: formatAmount(sum(found.map((r) => new Dec(r.amount)))),
      });
    }
    return { from: query.from, to: query.to, rows, totals };
  }
}
