import type { EntityManager } from 'typeorm';
import { notFound } from '../../common/errors.js';
import type { QuotaState } from './quota-amounts.js';
import { amountsOf, COLUMN, QUOTA_DIMENSIONS, type QuotaAmounts } from './quota-dimensions.js';
import type { LedgerAction } from './entities/quota-ledger-entry.entity.js';

/** The SQL the service and the drift check share, so the column lists are written once. */
const stems = QUOTA_DIMENSIONS.map((d) => COLUMN[d]);
export const LEDGER_COLUMNS = stems.join(', ');
export const stateColumns = (alias: string) =>
  stems.flatMap((s) => [`${alias}.${s}_limit`, `${alias}.${s}_used`, `${alias}.${s}_allocated`]).join(', ');

export const stateOf = (row: Record<string, unknown>): QuotaState => ({
  limits: amountsOf(row, '_limit'),
  used: amountsOf(row, '_used'),
  allocated: amountsOf(row, '_allocated'),
});

// $2, when given, is a resource whose reserve entry is looked up in the same round trip. That look-up
// uses the statement's snapshot, taken before the lock wait, so it may miss a twin call committed
// meanwhile; the ledger's unique index catches that case.
const LOCK = `SELECT ${stateColumns('q')}, d.code,
    EXISTS (SELECT 1 FROM quota_ledger l WHERE l.resource_id = $2 AND l.action = 'reserve') AS reserved
  FROM department_quotas q JOIN departments d ON d.id = q.department_id
  WHERE q.department_id = $1 FOR UPDATE OF q`;
const ENSURE = `INSERT INTO department_quotas (department_id) SELECT id FROM departments WHERE id = $1 ON CONFLICT DO NOTHING`;

/**
 * Locks a department's quota row (creating it, all zero, on first use) and answers its state. Every
 * change to limits or use of one department goes through this lock; that is what makes admission exact.
 */
export async function lockQuotaRow(
  manager: EntityManager,
  departmentId: string,
  resourceId: string | null = null,
): Promise<QuotaState & { reserved: boolean; code: string }> {
  let rows: Record<string, unknown>[] = await manager.query(LOCK, [departmentId, resourceId]);
  if (rows.length === 0) {
    await manager.query(ENSURE, [departmentId]);
    rows = await manager.query(LOCK, [departmentId, resourceId]);
    if (rows.length === 0) throw notFound('department', departmentId);
  }
  return { ...stateOf(rows[0]), reserved: rows[0].reserved === true, code: rows[0].code as string };
}

const APPEND = `
  WITH entry AS (
    INSERT INTO quota_ledger (department_id, resource_id, action, ${LEDGER_COLUMNS})
    VALUES ($1, $2, $3, ${stems.map((_, i) => `$${i + 4}`).join(', ')})
    ON CONFLICT (resource_id, action) WHERE action <> 'adjust' DO NOTHING
    RETURNING ${LEDGER_COLUMNS}
  ), counted AS (
    UPDATE department_quotas q
    SET ${stems.map((s) => `${s}_used = q.${s}_used + entry.${s}`).join(', ')}, updated_at = now()
    FROM entry WHERE q.department_id = $1
    RETURNING 1
  )
  SELECT count(*)::int AS n FROM counted`;

/**
 * Appends one ledger entry and moves the cached counter by the same amounts, in one statement.
 * Answers false when the (resource, action) entry already exists: the retried call does nothing.
 * The caller holds the department's lock.
 */
export async function appendEntry(
  manager: EntityManager,
  departmentId: string,
  resourceId: string,
  action: LedgerAction,
  amounts: QuotaAmounts,
): Promise<boolean> {
  const rows: Array<{ n: number }> = await manager.query(APPEND, [
    departmentId,
    resourceId,
    action,
    ...QUOTA_DIMENSIONS.map((d) => amounts[d]),
  ]);
  return rows[0].n > 0;
}

// The commit entry, copied from the reserve entry while no release exists; amounts stay zero.
const COMMIT = `
  INSERT INTO quota_ledger (department_id, resource_id, action)
  SELECT department_id, resource_id, 'commit' FROM quota_ledger
  WHERE resource_id = $1 AND action = 'reserve'
    AND NOT EXISTS (SELECT 1 FROM quota_ledger WHERE resource_id = $1 AND action = 'release')
  ON CONFLICT (resource_id, action) WHERE action <> 'adjust' DO NOTHING
  RETURNING id`;

/** Writes a resource's commit entry; false when there is no reservation to commit, or it was done before. */
export async function commitEntry(manager: EntityManager, resourceId: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(COMMIT, [resourceId]);
  return rows.length > 0;
}

const RESOURCE = `
  SELECT min(department_id::text) AS department_id,
         bool_or(action = 'reserve') AS reserved, bool_or(action = 'commit') AS committed,
         bool_or(action = 'release') AS released,
         ${stems.map((s) => `coalesce(sum(${s}), 0) AS ${s}`).join(', ')}
  FROM quota_ledger WHERE resource_id = $1`;

export interface ResourceLedger {
  departmentId: string | null;
  reserved: boolean;
  committed: boolean;
  released: boolean;
  /** What the resource holds now: the sum of its entries. */
  held: QuotaAmounts;
}

/** A resource's entries, summed. Read after taking the department's lock, so it sees every committed entry. */
export async function resourceLedger(manager: EntityManager, resourceId: string): Promise<ResourceLedger> {
  const [row]: Record<string, unknown>[] = await manager.query(RESOURCE, [resourceId]);
  return {
    departmentId: (row.department_id as string | null) ?? null,
    reserved: row.reserved === true,
    committed: row.committed === true,
    released: row.released === true,
    held: amountsOf(row),
  };
}
