import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource } from 'typeorm';
import { invalid, notFound } from '../../common/errors.js';
import { writeSheet, type SheetColumn, type SheetFormat } from '../../common/spreadsheet.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { endOfChinaDaySql, todayInChina } from '../facilities/room-status.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import type { BurnupQuery, CreateTargetDto } from './dto/report.dto.js';
import { MigrationTarget } from './entities/migration-target.entity.js';
import {
  EXEMPT_OR_RETIRED,
  IN_FLIGHT_STATUSES,
  MIGRATED_STATUSES,
  type MigrationStatus,
} from './status-machine.js';
import type { BurnupWeek, Counts, ReportRow } from './report-rows.js';

const MAX_BURNUP_YEARS = 10;

interface Tally {
  total: number;
  classified: number;
  migrated: number;
  migrating: number;
  notMigrated: number;
  exemptedOrRetired: number;
  /** Non-classified only: the rate's numerator and the part of the denominator to drop. */
  ncMigrated: number;
  ncRetired: number;
}

const empty = (): Tally => ({
  total: 0,
  classified: 0,
  migrated: 0,
  migrating: 0,
  notMigrated: 0,
  exemptedOrRetired: 0,
  ncMigrated: 0,
  ncRetired: 0,
});

function add(into: Tally, from: Tally): void {
  for (const key of Object.keys(into) as Array<keyof Tally>) into[key] += from[key];
}

function countsOf(t: Tally): Counts {
  const nonClassified = t.total - t.classified;
  const inScope = nonClassified - t.ncRetired;
  return {
    total: t.total,
    classified: t.classified,
    nonClassified,
    migrated: t.migrated,
    migrating: t.migrating,
    notMigrated: t.notMigrated,
    exemptedOrRetired: t.exemptedOrRetired,
    rate: inScope > 0 ? new Decimal(t.ncMigrated).div(inScope).mul(100).toDecimalPlaces(2).toNumber() : null,
  };
}

const rateText = (rate: number | null) => (rate === null ? '' : `${rate.toFixed(2)}%`);
const REPORT_COLUMNS: Array<Pick<SheetColumn<ReportRow>, 'key' | 'header' | 'format'>> = [
  // Full-width spaces show the tree in a spreadsheet.
  { key: 'department', header: '单位', format: (r) => `${'\u3000'.repeat(r.depth)}${r.name}` },
  { key: 'code', header: '编码', format: (r) => r.code },
  { key: 'total', header: '系统总数', format: (r) => r.total },
  { key: 'classified', header: '涉密', format: (r) => r.classified },
  { key: 'nonClassified', header: '非涉密', format: (r) => r.nonClassified },
  { key: 'migrated', header: '已迁移', format: (r) => r.migrated },
  { key: 'migrating', header: '迁移中', format: (r) => r.migrating },
  { key: 'notMigrated', header: '未迁移', format: (r) => r.notMigrated },
  { key: 'exemptedOrRetired', header: '豁免/退役', format: (r) => r.exemptedOrRetired },
  { key: 'rate', header: '迁移率', format: (r) => rateText(r.rate) },
  {
    key: 'nextTarget',
    header: '下一目标',
    format: (r) =>
      r.nextTarget ? `${r.nextTarget.dueDate} ${new Decimal(r.nextTarget.percentage).toString()}%` : '',
  },
  { key: 'gap', header: '距目标差距(系统数)', format: (r) => r.gap },
];

/**
 * The statistics table the city reports against its targets, rebuilt from the status history
 * (migration_transitions) as of any date, and the weekly burn-up of migrated systems.
 */
@Injectable()
export class MigrationReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
  ) {}

  /** The table at the end of the city's day `asOf` (default: today there at `now`). */
  async report(
    principal: Principal,
    asOfDay?: string,
    departmentId?: string,
    now = new Date(),
  ): Promise<{ asOf: string; rows: ReportRow[]; totals: Counts }> {
    const asOf = asOfDay ?? todayInChina(now);
    const prefix = departmentId
      ? (await this.scope.visible(principal, departmentId)).path
      : await this.scope.pathPrefix(principal);
    const departments: Array<{ id: string; code: string; name: string; kind: string; path: string }> =
      await this.dataSource.query(
        `SELECT id, code, name, kind, path FROM departments WHERE ($1::text IS NULL OR path LIKE $1 || '%') ORDER BY path`,
        [prefix],
      );
    // Each system's status at the cutoff is the target of its last transition before it; a system
    // with no transition yet did not exist then.
    const counts: Array<{
      department_id: string;
      classification: string;
      status: MigrationStatus;
      n: string;
    }> = await this.dataSource.query(
      `WITH last AS (
           SELECT DISTINCT ON (t.subject_id) t.subject_id, t.to_status
           FROM migration_transitions t
           WHERE t.subject_type = 'system' AND t.at < ${endOfChinaDaySql('$1')}
           ORDER BY t.subject_id, t.at DESC, t.id DESC)
         SELECT s.department_id, s.classification, last.to_status AS status, count(*) AS n
         FROM last JOIN information_systems s ON s.id = last.subject_id
         JOIN departments d ON d.id = s.department_id
         WHERE ($2::text IS NULL OR d.path LIKE $2 || '%')
         GROUP BY 1, 2, 3`,
      [asOf, prefix],
    );
    const own = new Map(departments.map((d) => [d.id, empty()]));
    for (const c of counts) {
      const t = own.get(c.department_id);
      if (!t) continue;
      const n = Number(c.n);
      const classified = c.classification === 'classified';
      t.total += n;
      if (classified) t.classified += n;
      if (MIGRATED_STATUSES.includes(c.status)) {
        t.migrated += n;
        if (!classified) t.ncMigrated += n;
      } else if (IN_FLIGHT_STATUSES.includes(c.status)) t.migrating += n;
      else if (EXEMPT_OR_RETIRED.includes(c.status)) {
        t.exemptedOrRetired += n;
        if (!classified && c.status === 'retired') t.ncRetired += n;
      } else t.notMigrated += n;
    }
    // Roll each department's own systems up into every ancestor shown.
    const rolled = new Map(departments.map((d) => [d.id, empty()]));
    const totals = empty();
    for (const d of departments) {
      const mine = own.get(d.id)!;
      add(totals, mine);
      for (const ancestor of d.path.split('/').filter(Boolean)) {
        const into = rolled.get(ancestor);
        if (into) add(into, mine);
      }
    }
    const targets = await this.targetsFrom(asOf);
    const rootDepth = departments.length ? departments[0].path.split('/').filter(Boolean).length : 0;
    const rows = departments.map((d): ReportRow => {
      const tally = rolled.get(d.id)!;
      const target = targets.find(
        (t) => t.scopeDepartmentId === null || d.path.includes(`/${t.scopeDepartmentId}/`),
      );
      const inScope = tally.total - tally.classified - tally.ncRetired;
      const gap = target
        ? Math.max(
            0,
            new Decimal(target.percentage).mul(inScope).div(100).ceil().toNumber() - tally.ncMigrated,
          )
        : null;
      return {
        departmentId: d.id,
        code: d.code,
        name: d.name,
        kind: d.kind,
        depth: d.path.split('/').filter(Boolean).length - rootDepth,
        ...countsOf(tally),
        nextTarget: target
          ? { dueDate: target.dueDate, percentage: target.percentage, label: target.label }
          : null,
        gap,
      };
    });
    return { asOf, rows, totals: countsOf(totals) };
  }

  async reportFile(
    principal: Principal,
    format: SheetFormat,
    asOfDay?: string,
    departmentId?: string,
  ): Promise<Buffer> {
    const { asOf, rows, totals } = await this.report(principal, asOfDay, departmentId);
    const totalRow = {
      ...totals,
      name: '合计 Total',
      code: '',
      depth: 0,
      nextTarget: null,
      gap: null,
    } as unknown as ReportRow;
    return writeSheet(`迁移统计 ${asOf}`, REPORT_COLUMNS, [...rows, totalRow], format);
  }

  /**
   * Weekly burn-up: at the end of each week, how many non-classified systems were migrated (migrated or
   * archived; a migrated system never goes back) out of those in scope, i.e. known and not retired —
   * the statistics table's rate, week by week, so a target drawn on it asks what the table asks. Weeks
   * are the city's Monday to Sunday, each ending when the table of its Sunday does.
   */
  async burnup(principal: Principal, query: BurnupQuery, now = new Date()) {
    const to = query.to ?? todayInChina(now);
    const from =
      query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 84 * 86_400_000).toISOString().slice(0, 10);
    if (from > to) throw invalid('from', 'must not be after to');
    // Every week is crossed with every system: a span of centuries kept PostgreSQL busy for minutes.
    if (Date.parse(to) - Date.parse(from) > MAX_BURNUP_YEARS * 366 * 86_400_000)
      throw invalid('from', `a burn-up spans at most ${MAX_BURNUP_YEARS} years`);
    const prefix = query.departmentId
      ? (await this.scope.visible(principal, query.departmentId)).path
      : await this.scope.pathPrefix(principal);
    const weeks: Array<{ week_start: string; week_end: string; migrated: string; non_classified: string }> =
      await this.dataSource.query(
        `WITH firsts AS (
           SELECT t.subject_id, min(t.at) AS created_at, min(t.at) FILTER (WHERE t.to_status = 'migrated') AS migrated_at,
                  min(t.at) FILTER (WHERE t.to_status = 'retired') AS retired_at
           FROM migration_transitions t
           JOIN information_systems s ON s.id = t.subject_id
           JOIN departments d ON d.id = s.department_id
           WHERE t.subject_type = 'system' AND ($3::text IS NULL OR d.path LIKE $3 || '%')
           GROUP BY t.subject_id),
         marks AS (
           SELECT f.*, s.classification FROM firsts f JOIN information_systems s ON s.id = f.subject_id),
         weeks AS (
           SELECT w::date AS week_start, ${endOfChinaDaySql('w::date + 6')} AS week_end
           FROM generate_series(date_trunc('week', $1::timestamp), $2::timestamp, interval '7 days') AS w)
         SELECT to_char(w.week_start, 'YYYY-MM-DD') AS week_start, to_char(w.week_start + 6, 'YYYY-MM-DD') AS week_end,
                count(m.subject_id) FILTER (WHERE m.migrated_at < w.week_end AND m.classification = 'non-classified') AS migrated,
                count(m.subject_id) FILTER (WHERE m.created_at < w.week_end AND m.classification = 'non-classified'
                                              AND (m.retired_at IS NULL OR m.retired_at >= w.week_end)) AS non_classified
         FROM weeks w LEFT JOIN marks m ON true
         GROUP BY w.week_start, w.week_end ORDER BY w.week_start`,
        [from, to, prefix],
      );
    return {
      from,
      to,
      weeks: weeks.map((w): BurnupWeek => ({
        weekStart: w.week_start,
        weekEnd: w.week_end,
        migrated: Number(w.migrated),
        nonClassified: Number(w.non_classified),
      })),
    };
  }

  listTargets(): Promise<MigrationTarget[]> {
    return this.dataSource
      .getRepository(MigrationTarget)
      .find({ order: { dueDate: 'ASC', createdAt: 'ASC' } });
  }

  async createTarget(dto: CreateTargetDto): Promise<MigrationTarget> {
    return this.dataSource.transaction(async (manager) => {
      if (dto.scopeDepartmentId) {
        const [found] = await manager.query('SELECT 1 FROM departments WHERE id = $1', [
          dto.scopeDepartmentId,
        ]);
        if (!found) throw invalid('scopeDepartmentId', `department ${dto.scopeDepartmentId} does not exist`);
      }
      const repo = manager.getRepository(MigrationTarget);
      const target = repo.create({
        dueDate: dto.dueDate,
        percentage: new Decimal(dto.percentage).toFixed(2),
        scopeDepartmentId: dto.scopeDepartmentId ?? null,
        label: dto.label ?? null,
      });
      await repo.insert(target);
      await this.audit.record(manager, {
        action: 'migration-target.create',
        targetType: 'migration-target',
        targetId: target.id,
        after: target,
      });
      return target;
    });
  }

  async removeTarget(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const target = await manager.getRepository(MigrationTarget).findOneBy({ id });
      if (!target) throw notFound('migration target', id);
      await manager.getRepository(MigrationTarget).delete({ id });
      await this.audit.record(manager, {
        action: 'migration-target.delete',
        targetType: 'migration-target',
        targetId: id,
        before: target,
      });
    });
  }

  /** Targets still ahead on the date, nearest first: the first whose scope covers a department is its next. */
  private targetsFrom(asOf: string): Promise<MigrationTarget[]> {
    return this.dataSource
      .getRepository(MigrationTarget)
      .createQueryBuilder('t')
      .where('t.due_date >= :asOf', { asOf })
      .orderBy('t.due_date', 'ASC')
      .addOrderBy('t.created_at', 'ASC')
      .getMany();
  }
}
