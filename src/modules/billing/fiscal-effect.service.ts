import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Decimal } from 'decimal.js';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { roomBudgetInYear } from '../facilities/room-budget.js';
import { budgetStopsOn } from '../facilities/room-status.js';
import { annualOmCost } from '../facilities/rooms.service.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { Dec, formatAmount, ZERO } from './money.js';
import { UsageReportService } from './usage-report.service.js';
import type { FiscalFigures, MonthSource, FiscalEffectRoom, FiscalEffectReport } from './views.js';

const KEYS = ['rebillChargeback', 'rebillShowback', 'omBudget', 'omStopped', 'leaseCarryover'] as const;
type Tally = Record<(typeof KEYS)[number], Decimal>;
const empty = (): Tally => Object.fromEntries(KEYS.map((k) => [k, ZERO])) as Tally;
const add = (into: Tally, from: Tally) => KEYS.forEach((k) => (into[k] = into[k].plus(from[k])));

/** The derived figures are linear in the tallied ones, so they hold for own and subtree sums alike. */
function figures(t: Tally): FiscalFigures {
  const rebill = t.rebillChargeback.plus(t.rebillShowback);
  const savings = t.omStopped.minus(t.leaseCarryover);
  return {
    rebillChargeback: formatAmount(t.rebillChargeback),
    rebillShowback: formatAmount(t.rebillShowback),
    rebill: formatAmount(rebill),
    omBudget: formatAmount(t.omBudget),
    omStopped: formatAmount(t.omStopped),
    leaseCarryover: formatAmount(t.leaseCarryover),
    savings: formatAmount(savings),
    net: formatAmount(savings.minus(rebill)),
  };
}

/**
 * Net fiscal effect per department and fiscal year: the cloud rebill of the year against the O&M budget
 * of its server rooms. The rebill comes from the usage report (one place decides chargeback, draft and
 * live months); the rooms' budget from roomBudgetInYear (one place for the budget stop and leases).
 * Rounding: every input is a whole-fen amount (rebill lines are rounded per line, money.ts; room costs
 * and lease fees are NUMERIC(·,2)), so every figure is an exact sum and nothing is rounded again.
 */
@Injectable()
export class FiscalEffectService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly usage: UsageReportService,
  ) {}

  async report(
    principal: Principal,
    year: number,
    departmentId?: string,
    now = new Date(),
  ): Promise<FiscalEffectReport> {
    const prefix = departmentId
      ? (await this.scope.visible(principal, departmentId)).path
      : ((await this.scope.pathPrefix(principal)) ?? '/');
    const departments: Array<{ id: string; code: string; name: string; path: string }> =
      await this.dataSource.query(
        `SELECT id, code, name, path FROM departments WHERE path LIKE $1 ORDER BY path`,
        [`${prefix}%`],
      );
    const own = new Map(departments.map((d) => [d.id, empty()]));

    const usage = await this.usage.usage(
      principal,
      { from: `${year}-01`, to: `${year}-12`, departmentId },
      now,
    );
    for (const row of usage.rows) {
      const t = own.get(row.departmentId);
      const key = row.basis === 'chargeback' ? 'rebillChargeback' : 'rebillShowback';
      if (t) t[key] = t[key].plus(new Dec(row.amount));
    }
    const months = [...Array(12).keys()].map((m) => {
      const month = `${year}-${String(m + 1).padStart(2, '0')}`;
      const total = usage.totals.find((x) => x.month === month);
      const source: MonthSource = !total
        ? 'future'
        : total.basis === 'chargeback'
          ? 'finalized'
          : total.rebillId
            ? 'draft'
            : 'live';
      return { month, source, rebillId: total?.rebillId ?? null, meteredUntil: total?.meteredUntil ?? null };
    });

    const rooms = await this.rooms(prefix, year);
    for (const room of rooms) {
      const t = own.get(room.departmentId)!;
      t.omBudget = t.omBudget.plus(room.omBudget);
      t.omStopped = t.omStopped.plus(room.omStopped);
      t.leaseCarryover = t.leaseCarryover.plus(room.leaseCarryover);
    }

    // Subtree roll-up: each department's own tally added to itself and every ancestor in the report.
    const subtree = new Map(departments.map((d) => [d.id, empty()]));
    const totals = empty();
    for (const d of departments) {
      add(totals, own.get(d.id)!);
      for (const ancestor of d.path.split('/').filter(Boolean)) {
        const into = subtree.get(ancestor);
        if (into) add(into, own.get(d.id)!);
      }
    }
    const rootDepth = prefix.split('/').filter(Boolean).length;
    return {
      year,
      generatedAt: now,
      months,
      rows: departments.map((d) => ({
        departmentId: d.id,
        code: d.code,
        name: d.name,
        depth: d.path.split('/').filter(Boolean).length - Math.max(rootDepth, 1),
        own: figures(own.get(d.id)!),
        subtree: figures(subtree.get(d.id)!),
      })),
      totals: figures(totals),
      rooms: rooms.map((r) => ({
        ...r,
        omBudget: formatAmount(r.omBudget),
        omStopped: formatAmount(r.omStopped),
        leaseCarryover: formatAmount(r.leaseCarryover),
      })),
    };
  }

  /** Every server room under the prefix with its budget in the year. */
  private async rooms(prefix: string, year: number) {
    const rooms: Array<
      Pick<FiscalEffectRoom, 'roomId' | 'room' | 'departmentId' | 'department' | 'status' | 'closedOn'> & {
        costElectricity: string;
        costMaintenance: string;
        costStaff: string;
        costNetwork: string;
        costOther: string;
        leases: Array<{ monthlyFee: string; contractStart: string; contractEnd: string }>;
      }
    > = await this.dataSource.query(
      `SELECT r.id AS "roomId", r.name AS room, r.department_id AS "departmentId", d.name AS department, r.status,
              CASE WHEN r.status = 'closed' THEN to_char(r.closed_on, 'YYYY-MM-DD') END AS "closedOn",
              r.cost_electricity::text AS "costElectricity", r.cost_maintenance::text AS "costMaintenance",
              r.cost_staff::text AS "costStaff", r.cost_network::text AS "costNetwork", r.cost_other::text AS "costOther",
              COALESCE((SELECT json_agg(json_build_object('monthlyFee', l.monthly_fee::text,
                                                          'contractStart', to_char(l.contract_start, 'YYYY-MM-DD'),
                                                          'contractEnd', to_char(l.contract_end, 'YYYY-MM-DD')))
                        FROM network_leases l WHERE l.room_id = r.id), '[]') AS leases
       FROM server_rooms r JOIN departments d ON d.id = r.department_id
       WHERE d.path LIKE $1 ORDER BY d.path, r.name`,
      [`${prefix}%`],
    );
    return rooms.map(
      ({ costElectricity, costMaintenance, costStaff, costNetwork, costOther, leases, ...r }) => {
        const annualOm = annualOmCost({
          costElectricity,
          costMaintenance,
          costStaff,
          costNetwork,
          costOther,
        });
        const budget = roomBudgetInYear({ annualOm, closedOn: r.closedOn, leases }, year);
        return {
          ...r,
          budgetStopsOn: r.closedOn ? budgetStopsOn(r.closedOn) : null,
          annualOmCost: formatAmount(annualOm),
          omBudget: budget.drawn,
          omStopped: budget.stopped,
          leaseCarryover: budget.leaseCarryover,
        };
      },
    );
  }
}
