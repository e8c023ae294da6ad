import type { EntityManager } from 'typeorm';
import { SqlParams } from '../../common/sql-params.js';
import { notFound } from '../../common/errors.js';
import type { QuotaState } from './quota-amounts.js';
import {
  amountsOf,
  COLUMN,
  QUOTA_DIMENSIONS,
  type QuotaAmounts,
  type QuotaDimension,
} from './quota-dimensions.js';
import type { LedgerAction } from './entities/quota-ledger-entry.entity.js';

/** The SQL the service and the drift check share, so the column lists are written once. */
const stems = QUOTA_DIMENSIONS.map((d) => COLUMN[d]);
export const LEDGER_COLUMNS = stems.join(', ');
export const stateColumns = (alias: string) =>
  stems.flatMap((s) => [`${alias}.${s}_limit`, `${alias}.${s}_used`, `${alias}.${s}_allocated`]).join(', ');

/**
 * A JSON object of what department `departmentId` (SQL) may use itself, per dimension given: its limits
 * less what it handed down to its units; null when it has no quota row yet.
 */
export const ownShareJson = (departmentId: string, dimensions: readonly QuotaDimension[]) =>
  `(SELECT json_build_object(${dimensions
    .map((d) => `'${d}', q.${COLUMN[d]}_limit - q.${COLUMN[d]}_allocated`)
    .join(', ')}) FROM department_quotas q WHERE q.department_id = ${departmentId})`;

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

/**
 * Two CTEs: `entry` writes the ledger entry `rows` give ($1 the department; at most one per resource
 * and action, adjust aside), `counted` moves the department's counter by what it wrote.
 */
const entryAndCounter = (rows: string) => `entry AS (
    INSERT INTO quota_ledger (department_id, resource_id, action, ${LEDGER_COLUMNS})
    ${rows}
    ON CONFLICT (resource_id, action) WHERE action <> 'adjust' DO NOTHING
    RETURNING ${LEDGER_COLUMNS}
  ), counted AS (
    UPDATE department_quotas t
    SET ${stems.map((s) => `${s}_used = t.${s}_used + entry.${s}`).join(', ')}, updated_at = now()
    FROM entry WHERE t.department_id = $1
    RETURNING 1
  )`;

// A reservation in one statement, so the department's row is locked for one round trip less: lock the
// row (as LOCK), write the reserve entry only if every asked amount fits what is available, and move the
// counter by it (as APPEND). The locked row is the newest version, and the counter's UPDATE, re-checked
// on it, adds to the newest use. Answers the row as locked and whether the entry was written.
const RESERVE = `
  WITH q AS (${LOCK.trim()}),
  ${entryAndCounter(`SELECT $1, $2, 'reserve', ${stems.map((_, i) => `$${i + 3}::bigint`).join(', ')} FROM q
    WHERE NOT q.reserved AND ${stems
      .map(
        (s, i) =>
          `($${i + 3}::bigint = 0 OR $${i + 3}::bigint <= q.${s}_limit - q.${s}_used - q.${s}_allocated)`,
      )
      .join(' AND ')}`)}
  SELECT q.*, (SELECT count(*) FROM counted)::int AS taken FROM q`;

/**
 * Reserves `amounts` for the resource when they fit (see RESERVE); `taken` false when they do not,
 * or the resource had reserved before, with the row's state to tell which.
 */
export async function reserveEntry(
  manager: EntityManager,
  departmentId: string,
  resourceId: string,
  amounts: QuotaAmounts,
): Promise<QuotaState & { reserved: boolean; code: string; taken: boolean }> {
  const params = [departmentId, resourceId, ...QUOTA_DIMENSIONS.map((d) => amounts[d])];
  let rows: Record<string, unknown>[] = await manager.query(RESERVE, params);
  if (rows.length === 0) {
    await manager.query(ENSURE, [departmentId]);
    rows = await manager.query(RESERVE, params);
    if (rows.length === 0) throw notFound('department', departmentId);
  }
  const row = rows[0];
  return {
    ...stateOf(row),
    reserved: row.reserved === true,
    code: row.code as string,
    taken: Number(row.taken) > 0,
  };
}

const APPEND = `
  WITH ${entryAndCounter(`VALUES ($1, $2, $3, ${stems.map((_, i) => `$${i + 4}`).join(', ')})`)}
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

/**
 * The INSERT of the commit entries of the resources the query `resources` yields (a column
 * resource_id), each copied from its reserve entry while no release exists (amounts stay zero), so a
 * caller can make it part of the statement of its own change.
 */
export function commitInsert(resources: string): string {
  return `INSERT INTO quota_ledger (department_id, resource_id, action)
    SELECT l.department_id, l.resource_id, 'commit' FROM quota_ledger l JOIN (${resources}) AS c ON c.resource_id = l.resource_id
    WHERE l.action = 'reserve'
      AND NOT EXISTS (SELECT 1 FROM quota_ledger x WHERE x.resource_id = l.resource_id AND x.action = 'release')
    ON CONFLICT (resource_id, action) WHERE action <> 'adjust' DO NOTHING
    RETURNING id`;
}

/** Writes a resource's commit entry; false when there is no reservation to commit, or it was done before. */
export async function commitEntry(manager: EntityManager, resourceId: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(commitInsert(`SELECT $1::uuid AS resource_id`), [resourceId]);
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

// The rows of several departments, locked root to leaf (by path), the order setLimits takes a parent and
// its child in, so a batch of admissions and a change of limits cannot deadlock.
const LOCK_MANY = `SELECT q.department_id, ${stateColumns('q')}, d.code
  FROM department_quotas q JOIN departments d ON d.id = q.department_id
  WHERE q.department_id = ANY($1::uuid[]) ORDER BY d.path FOR UPDATE OF q`;
const ENSURE_MANY = `INSERT INTO department_quotas (department_id)
  SELECT id FROM departments WHERE id = ANY($1::uuid[]) ON CONFLICT DO NOTHING`;

/** Locks several departments' quota rows (creating missing ones, all zero); a department that does not exist is left out. */
export async function lockQuotaRows(
  manager: EntityManager,
  departmentIds: string[],
): Promise<Map<string, QuotaState & { code: string }>> {
  let rows: Record<string, unknown>[] = await manager.query(LOCK_MANY, [departmentIds]);
  if (rows.length < departmentIds.length) {
    await manager.query(ENSURE_MANY, [departmentIds]);
    rows = await manager.query(LOCK_MANY, [departmentIds]);
  }
  return new Map(
    rows.map((row) => [row.department_id as string, { ...stateOf(row), code: row.code as string }]),
  );
}

/**
 * Reserve entries for new resources as CTEs of a caller's statement, each department's counter moved
 * once by the sum of what was written (as entryAndCounter does for one). No ON CONFLICT: a resource
 * that already holds a reservation is a caller's bug, and fails the statement. The caller holds the
 * departments' locks.
 */
export function reserveEntries(
  params: SqlParams,
  entries: Array<{ departmentId: string; resourceId: string; amounts: QuotaAmounts }>,
): string {
  const rows = entries.map((e) => ({
    department_id: e.departmentId,
    resource_id: e.resourceId,
    ...Object.fromEntries(QUOTA_DIMENSIONS.map((d) => [COLUMN[d], e.amounts[d]])),
  }));
  return `reserved AS (
    INSERT INTO quota_ledger (department_id, resource_id, action, ${LEDGER_COLUMNS})
    SELECT department_id, resource_id, 'reserve', ${LEDGER_COLUMNS}
    FROM jsonb_to_recordset(${params.json(rows)}) AS x(department_id uuid, resource_id uuid, ${stems.map((s) => `${s} bigint`).join(', ')})
    RETURNING department_id, ${LEDGER_COLUMNS}
  ), reserved_sums AS (
    SELECT department_id, ${stems.map((s) => `sum(${s}) AS ${s}`).join(', ')} FROM reserved GROUP BY department_id
  ), reserved_counted AS (
    UPDATE department_quotas t
    SET ${stems.map((s) => `${s}_used = t.${s}_used + reserved_sums.${s}`).join(', ')}, updated_at = now()
    FROM reserved_sums WHERE t.department_id = reserved_sums.department_id
  )`;
}
