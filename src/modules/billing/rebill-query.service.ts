import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notFound } from '../../common/errors.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { RebillRun } from './entities/rebill.entity.js';
import type { LineRow, DepartmentTotal } from './views.js';

const LINE_SELECT = `
  SELECT l.id, l.key, l.kind, l.month, l.department_id AS "departmentId", d.code AS "departmentCode",
         d.name AS "departmentName", l.resource_id AS "resourceId", r.name AS "resourceName",
         l.pool_id AS "poolId", p.name AS "poolName", l.dimension, l.tier,
         l.rate_card_id AS "rateCardId", l.unit, l.quantity::text AS quantity, l.unit_price::text AS "unitPrice",
         l.amount::text AS amount, l.adjusts_run_id AS "adjustsRunId", l.adjusts_line_id AS "adjustsLineId"
  FROM rebill_lines l JOIN departments d ON d.id = l.department_id
  LEFT JOIN resources r ON r.id = l.resource_id LEFT JOIN pools p ON p.id = l.pool_id`;

/** Reads of rebill runs, scoped: a dept-admin sees its subtree's lines and totals, nothing else. */
@Injectable()
export class RebillQueryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
  ) {}

  async run(id: string): Promise<RebillRun> {
    const run = await this.dataSource.getRepository(RebillRun).findOneBy({ id });
    if (!run) throw notFound('rebill', id);
    return run;
  }

  /** The path prefix whose lines the caller sees ('/' for the whole city). */
  async visiblePrefix(principal: Principal): Promise<string> {
    return (await this.scope.pathPrefix(principal)) ?? '/';
  }

  async list(principal: Principal) {
    const prefix = await this.visiblePrefix(principal);
    const rows = await this.dataSource.query(
      `SELECT r.id, r.period, r.state, r.computed_until AS "computedUntil", r.computed_at AS "computedAt",
              r.finalized_at AS "finalizedAt",
              (SELECT COALESCE(SUM(l.amount), 0)::numeric(18,2)::text FROM rebill_lines l JOIN departments d ON d.id = l.department_id
               WHERE l.line_set_id = r.line_set_id AND d.path LIKE $1) AS total
       FROM rebill_runs r ORDER BY r.period DESC`,
      [`${prefix}%`],
    );
    return rows;
  }

  /** Department totals and subtree roll-ups: each department's own sum, added up along its path. */
  async departmentTotals(run: RebillRun, prefix: string): Promise<DepartmentTotal[]> {
    return this.dataSource.query(
      `WITH own AS (
         SELECT department_id, SUM(amount) AS total FROM rebill_lines WHERE line_set_id = $1 GROUP BY department_id
       ), up AS (
         SELECT a.ancestor::uuid AS department_id, SUM(own.total) AS subtree
         FROM own JOIN departments d ON d.id = own.department_id
         CROSS JOIN LATERAL unnest(string_to_array(trim(both '/' from d.path), '/')) AS a(ancestor)
         GROUP BY a.ancestor
       )
       SELECT d.id AS "departmentId", d.code, d.name, d.parent_id AS "parentId",
              COALESCE(own.total, 0)::numeric(18,2)::text AS own, up.subtree::numeric(18,2)::text AS subtree
       FROM up JOIN departments d ON d.id = up.department_id LEFT JOIN own ON own.department_id = d.id
       WHERE d.path LIKE $2
       ORDER BY d.path`,
      [run.lineSetId, `${prefix}%`],
    );
  }

  /** The sum and count of the visible lines: the run's, or a dept-admin's subtree's. */
  async visibleTotal(run: RebillRun, prefix: string): Promise<{ total: string; lineCount: number }> {
    const [row] = await this.dataSource.query(
      `SELECT COALESCE(SUM(l.amount), 0)::numeric(18,2)::text AS total, COUNT(*)::int AS "lineCount"
       FROM rebill_lines l JOIN departments d ON d.id = l.department_id WHERE l.line_set_id = $1 AND d.path LIKE $2`,
      [run.lineSetId, `${prefix}%`],
    );
    return row;
  }

  /** A page of lines in department and key order, under a path prefix (or of one department when exact is given). */
  async lines(
    run: RebillRun,
    where: { prefix: string } | { departmentId: string },
    page: { limit?: number; offset?: number },
  ): Promise<{ items: LineRow[]; count: number }> {
    const [filter, param] =
      'prefix' in where
        ? ['d.path LIKE $2', `${where.prefix}%`]
        : ['l.department_id = $2', where.departmentId];
    const items = await this.dataSource.query(
      `${LINE_SELECT} WHERE l.line_set_id = $1 AND ${filter} ORDER BY l.department_id, l.key LIMIT $3 OFFSET $4`,
      [run.lineSetId, param, page.limit ?? 100, page.offset ?? 0],
    );
    const [{ count }] = await this.dataSource.query(
      `SELECT COUNT(*)::int AS count FROM rebill_lines l JOIN departments d ON d.id = l.department_id
       WHERE l.line_set_id = $1 AND ${filter}`,
      [run.lineSetId, param],
    );
    return { items, count };
  }

  /** Every visible line in department and key order, a page at a time (keyset), for exports of any size. */
  async *allLines(run: RebillRun, prefix: string, pageSize = 5000): AsyncGenerator<LineRow[]> {
    let after = { departmentId: '00000000-0000-0000-0000-000000000000', key: '' };
    for (;;) {
      const page: LineRow[] = await this.dataSource.query(
        `${LINE_SELECT} WHERE l.line_set_id = $1 AND d.path LIKE $2 AND (l.department_id, l.key) > ($3::uuid, $4)
         ORDER BY l.department_id, l.key LIMIT $5`,
        [run.lineSetId, `${prefix}%`, after.departmentId, after.key, pageSize],
      );
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1];
      if (page.length < pageSize) return;
    }
  }

  async line(principal: Principal, run: RebillRun, lineId: string): Promise<LineRow> {
    const prefix = await this.visiblePrefix(principal);
    const [line] = await this.dataSource.query(
      `${LINE_SELECT} WHERE l.line_set_id = $1 AND l.id = $2 AND d.path LIKE $3`,
      [run.lineSetId, lineId, `${prefix}%`],
    );
    if (!line) throw notFound('rebill line', lineId);
    return line;
  }
}
