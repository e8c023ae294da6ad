// The statistics table's rows and the burn-up's weeks as the API answers them. Without imports, so the
// web console bundles the same types (console/src/shared.ts).

export interface Counts {
  total: number;
  classified: number;
  nonClassified: number;
  migrated: number;
  migrating: number;
  notMigrated: number;
  exemptedOrRetired: number;
  /** Non-classified migrated ÷ non-classified in scope (not retired); null when there is none. */
  rate: number | null;
}

export interface ReportRow extends Counts {
  departmentId: string;
  code: string;
  name: string;
  kind: string;
  depth: number;
  nextTarget: { dueDate: string; percentage: string; label: string | null } | null;
  /** Systems still to migrate to meet the next target; 0 when met. */
  gap: number | null;
}

/** One week of the burn-up: systems migrated by its end, and non-classified systems known by then. */
export interface BurnupWeek {
  weekStart: string;
  weekEnd: string;
  migrated: number;
  nonClassified: number;
}
