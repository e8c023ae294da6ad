// What the billing API answers (rebills, usage, budgets, fiscal effect), as types in a file without
// imports, so the web console takes them as they are (console/src/shared.ts) and the two never drift apart.
// Dates are Date here and ISO strings once in JSON.

/** A line as the API and the exports print it: money and quantities as the NUMERIC text PostgreSQL gives. */
export interface LineRow {
  id: string;
  key: string;
  kind: string;
  month: string;
  departmentId: string;
  departmentCode: string;
  departmentName: string;
  resourceId: string;
  /** Null for what is not a resource (a host's rack units). */
  resourceName: string | null;
  poolId: string;
  poolName: string;
  dimension: string;
  tier: string | null;
  rateCardId: string;
  unit: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  adjustsRunId: string | null;
  adjustsLineId: string | null;
}

export interface DepartmentTotal {
  departmentId: string;
  code: string;
  name: string;
  parentId: string | null;
  /** Sum of the department's own lines. */
  own: string;
  /** Sum of the lines of the department and everything under it. */
  subtree: string;
}

/** Chargeback: a finalised rebill; showback: a draft, or (no run yet) metered live for the report. */
export type Basis = 'chargeback' | 'showback';

export interface UsageRow {
  month: string;
  basis: Basis;
  rebillId: string | null;
  departmentId: string;
  code: string;
  name: string;
  dimension: string;
  unit: string;
  quantity: string;
  amount: string;
}

/** A month of the report: its basis, the run it was read from (null: metered live), and its total. */
export interface MonthTotal {
  month: string;
  basis: Basis;
  rebillId: string | null;
  /** Usage up to this instant is in the amount: the run's computedUntil, or the end of live metering. */
  meteredUntil: Date;
  amount: string;
}

export interface BudgetStatus {
  departmentId: string;
  code: string;
  name: string;
  year: number;
  budget: string;
  /**
   * Spent so far this year by the subtree: finalised runs, drafts, and months with no run (the current
   * one included) metered live up to now, as the usage report counts them.
   */
  spent: string;
  /** spent + the current month's run rate carried to the year's end. */
  forecast: string;
  overspend: boolean;
  /** Months of the year so far with no rebill run: in `spent` as metered live (showback), not rebilled. */
  monthsWithoutRebill: string[];
  alertRaisedAt: Date | null;
}

/** The figures of a department (own or with its subtree), CNY as decimal strings. */
export interface FiscalFigures {
  /** Cloud rebill of finalised runs: what the department is charged back. */
  rebillChargeback: string;
  /** Cloud rebill not yet finalised: draft runs, and months with no run metered live up to now. */
  rebillShowback: string;
  /** rebillChargeback + rebillShowback: the cloud cost of the year so far. */
  rebill: string;
  /** O&M budget its server rooms still draw in the year (open rooms; leases running past a budget stop). */
  omBudget: string;
  /** O&M budget stopped in the year by rooms closed before it (来年不再拨付). */
  omStopped: string;
  /** Lease fees still payable in the year by rooms whose budget is stopped (part of omBudget). */
  leaseCarryover: string;
  /** omStopped − leaseCarryover: what closing rooms saves the year. */
  savings: string;
  /** savings − rebill: positive when the closures save more than the cloud costs. */
  net: string;
}

/** How a month's rebill enters the report: finalised, draft, metered live (no run), or not begun. */
export type MonthSource = 'finalized' | 'draft' | 'live' | 'future';

export interface FiscalEffectRow {
  departmentId: string;
  code: string;
  name: string;
  /** Depth below the report's top department, for indenting. */
  depth: number;
  own: FiscalFigures;
  subtree: FiscalFigures;
}

export interface FiscalEffectRoom {
  roomId: string;
  room: string;
  departmentId: string;
  department: string;
  status: string;
  closedOn: string | null;
  budgetStopsOn: string | null;
  annualOmCost: string;
  omBudget: string;
  omStopped: string;
  leaseCarryover: string;
}

export interface FiscalEffectReport {
  year: number;
  generatedAt: Date;
  months: Array<{ month: string; source: MonthSource; rebillId: string | null; meteredUntil: Date | null }>;
  rows: FiscalEffectRow[];
  totals: FiscalFigures;
  rooms: FiscalEffectRoom[];
}
