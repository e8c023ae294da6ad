import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { conflict, notFound } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { lockDepartmentTree } from '../tenancy/department-tree-lock.js';
import { Department } from '../tenancy/entities/department.entity.js';
import {
  availableOf,
  checkAmounts,
  quotaExceeded,
  type PartialAmounts,
  type QuotaState,
} from './quota-amounts.js';
import {
  COLUMN,
  QUOTA_DIMENSIONS,
  zeroAmounts,
  type QuotaAmounts,
  type QuotaDimension,
  type QuotaView,
} from './quota-dimensions.js';
import { lockQuotaRow, stateColumns, stateOf } from './quota-sql.js';

export interface SubtreeQuotaView extends QuotaView {
  /** Direct use summed over the department and every department below it. */
  subtreeUsed: QuotaAmounts;
  departments: Array<QuotaView & { code: string; name: string; parentId: string | null }>;
}

export interface NearLimit {
  departmentId: string;
  code: string;
  name: string;
  dimensions: Array<{
    dimension: QuotaDimension;
    limit: number;
    used: number;
    allocatedToChildren: number;
    ratio: number;
  }>;
}

/** A department is near its limit when its use plus what it handed to children reaches this share. */
export const NEAR_LIMIT_PERCENT = 80;

const emptyState = (): QuotaState => ({
  limits: zeroAmounts(),
  used: zeroAmounts(),
  allocated: zeroAmounts(),
});

export function viewOf(departmentId: string, state: QuotaState): QuotaView {
  return {
    departmentId,
    limits: state.limits,
    used: state.used,
    allocatedToChildren: state.allocated,
    available: Object.fromEntries(QUOTA_DIMENSIONS.map((d) => [d, availableOf(state, d)])) as QuotaAmounts,
  };
}

/** Limits (the allocation model over the department tree) and the read side of quotas. */
@Injectable()
export class QuotaLimitsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
  ) {}

  /**
   * Sets some of a department's limits. A raise must fit in what the parent has left (its limit less
   * its own use and what it already handed out); a limit below the department's own use plus what it
   * handed to its children is refused with the numbers. The root's limit is the city's capacity and
   * bounded by nothing. Locks parent then child (root to leaf), so concurrent changes cannot deadlock.
   */
  async setLimits(manager: EntityManager, departmentId: string, input: PartialAmounts): Promise<QuotaView> {
    const limits = checkAmounts(input, 'limits');
    // A move commits either before we read the parent or after we commit: the grown limit is charged to
    // the parent the department has. The move's trigger locks nothing for a department without limits.
    await lockDepartmentTree(manager, 'read');
    const department = await manager.getRepository(Department).findOneBy({ id: departmentId });
    if (!department) throw notFound('department', departmentId);
    const parent = department.parentId
      ? await manager.getRepository(Department).findOneByOrFail({ id: department.parentId })
      : null;
    const parentState = parent ? await lockQuotaRow(manager, parent.id) : null;
    const before = await lockQuotaRow(manager, departmentId);
    const after: QuotaState = { ...before, limits: { ...before.limits } };
    const grown = zeroAmounts();
    for (const d of QUOTA_DIMENSIONS) {
      const wanted = limits[d];
      if (wanted === undefined) continue;
      const floor = before.used[d] + before.allocated[d];
      if (wanted < floor) {
        throw conflict(
          `${d}: limit ${wanted} is below what department ${department.code} uses (${before.used[d]}) ` +
            `plus has allocated to its child departments (${before.allocated[d]}): at least ${floor}`,
          { dimension: d, asked: wanted, used: before.used[d], allocatedToChildren: before.allocated[d] },
        );
      }
      grown[d] = wanted - before.limits[d];
      if (parent && parentState && grown[d] > availableOf(parentState, d))
        throw quotaExceeded(parent, d, grown[d], parentState, `raising ${department.code} to ${wanted} asks`);
      after.limits[d] = wanted;
    }
    const set = QUOTA_DIMENSIONS.map((d, i) => `${COLUMN[d]}_limit = $${i + 2}`).join(', ');
    await manager.query(`UPDATE department_quotas SET ${set}, updated_at = now() WHERE department_id = $1`, [
      departmentId,
      ...QUOTA_DIMENSIONS.map((d) => after.limits[d]),
    ]);
    if (parent) {
      const bump = QUOTA_DIMENSIONS.map(
        (d, i) => `${COLUMN[d]}_allocated = ${COLUMN[d]}_allocated + $${i + 2}`,
      );
      await manager.query(
        `UPDATE department_quotas SET ${bump.join(', ')}, updated_at = now() WHERE department_id = $1`,
        [parent.id, ...QUOTA_DIMENSIONS.map((d) => grown[d])],
      );
    }
    await this.audit.record(manager, {
      action: 'quota.set-limits',
      targetType: 'department-quota',
      targetId: departmentId,
      departmentId,
      before: { limits: before.limits },
      after: { limits: after.limits },
    });
    return viewOf(departmentId, after);
  }

  /** PUT /departments/:id/quota: an operator sets limits directly. */
  put(departmentId: string, limits: PartialAmounts): Promise<QuotaView> {
    return this.dataSource.transaction((manager) => this.setLimits(manager, departmentId, limits));
  }

  async get(principal: Principal, departmentId: string): Promise<QuotaView> {
    await this.scope.visible(principal, departmentId);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${stateColumns('q')} FROM department_quotas q WHERE q.department_id = $1`,
      [departmentId],
    );
    return viewOf(departmentId, rows[0] ? stateOf(rows[0]) : emptyState());
  }

  /** The department's own figures, its subtree's total direct use, and every department below it. */
  async subtree(principal: Principal, departmentId: string): Promise<SubtreeQuotaView> {
    const root = await this.scope.visible(principal, departmentId);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT d.id, d.code, d.name, d.parent_id, ${stateColumns('q')}
       FROM departments d LEFT JOIN department_quotas q ON q.department_id = d.id
       WHERE d.path LIKE $1 ORDER BY d.path`,
      [`${root.path}%`],
    );
    const departments = rows.map((row) => ({
      ...viewOf(row.id as string, stateOf(row)),
      code: row.code as string,
      name: row.name as string,
      parentId: (row.parent_id as string | null) ?? null,
    }));
    const subtreeUsed = zeroAmounts();
    for (const view of departments) for (const d of QUOTA_DIMENSIONS) subtreeUsed[d] += view.used[d];
    const own = departments.find((view) => view.departmentId === root.id)!;
    return {
      departmentId: root.id,
      limits: own.limits,
      used: own.used,
      allocatedToChildren: own.allocatedToChildren,
      available: own.available,
      subtreeUsed,
      departments,
    };
  }

  /** Departments whose use plus allocation reaches NEAR_LIMIT_PERCENT of a non-zero limit, in the caller's scope. */
  async nearLimit(principal: Principal): Promise<NearLimit[]> {
    const prefix = await this.scope.pathPrefix(principal);
    // Integer arithmetic, so the boundary is exact: (used + allocated) * 100 >= limit * percent.
    const percent = NEAR_LIMIT_PERCENT;
    const near = QUOTA_DIMENSIONS.map(
      (d) =>
        `(q.${COLUMN[d]}_limit > 0 AND (q.${COLUMN[d]}_used + q.${COLUMN[d]}_allocated) * 100 >= q.${COLUMN[d]}_limit * ${percent})`,
    ).join(' OR ');
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT d.id, d.code, d.name, ${stateColumns('q')}
       FROM department_quotas q JOIN departments d ON d.id = q.department_id
       WHERE (${near}) AND ($1::text IS NULL OR d.path LIKE $1 || '%') ORDER BY d.path`,
      [prefix],
    );
    return rows.map((row) => {
      const state = stateOf(row);
      const dimensions = QUOTA_DIMENSIONS.filter(
        (d) => state.limits[d] > 0 && (state.used[d] + state.allocated[d]) * 100 >= state.limits[d] * percent,
      ).map((d) => ({
        dimension: d,
        limit: state.limits[d],
        used: state.used[d],
        allocatedToChildren: state.allocated[d],
        ratio: (state.used[d] + state.allocated[d]) / state.limits[d],
      }));
      return {
        departmentId: row.id as string,
        code: row.code as string,
        name: row.name as string,
        dimensions,
      };
    });
  }
}
