import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ParsedRow, SheetError } from '../../common/spreadsheet.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import type { DepartmentScope } from '../tenancy/department-scope.js';

/**
 * What the spreadsheet imports of inventories (systems, hosts, server rooms) share: rows name their
 * department by code and match existing objects on department + name, so importing the same file
 * again changes nothing, and the whole file is one audit entry.
 */

export interface ImportResult {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

export interface UploadedSheet {
  buffer: Buffer;
  originalname?: string;
}

export type DepartmentRow = ParsedRow & { departmentId: string };

export const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
export const keyOf = (departmentId: string, name: string) => `${departmentId}\u0000${name}`;

/**
 * The rows with their department id, among the departments the caller may see (others are unknown).
 * An unknown code and a second row for the same department + name are errors; a row whose code or
 * name cell already failed has its error and is not reported twice.
 */
export async function rowsByDepartment(
  manager: EntityManager,
  scope: DepartmentScope,
  principal: Principal,
  rows: ParsedRow[],
  nameKey: string,
  errors: SheetError[],
): Promise<DepartmentRow[]> {
  const codes = [...new Set(rows.map((r) => String(r.values.departmentCode)))];
  const prefix = await scope.pathPrefix(principal, manager);
  const found: Array<{ id: string; code: string }> = await manager.query(
    `SELECT id, code FROM departments WHERE code = ANY($1) AND ($2::text IS NULL OR path LIKE $2 || '%')`,
    [codes, prefix],
  );
  const byCode = new Map(found.map((d) => [d.code, d.id]));
  const seen = new Map<string, number>();
  const out: DepartmentRow[] = [];
  for (const r of rows) {
    const departmentId = byCode.get(String(r.values.departmentCode));
    if (r.values.departmentCode !== undefined && !departmentId) {
      errors.push({
        row: r.row,
        column: 'departmentCode',
        message: `no department with code ${r.values.departmentCode}`,
      });
      continue;
    }
    if (!departmentId || r.values[nameKey] === undefined) continue;
    const key = keyOf(departmentId, String(r.values[nameKey]));
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ row: r.row, column: nameKey, message: `"${r.values[nameKey]}" repeats row ${first}` });
      continue;
    }
    seen.set(key, r.row);
    out.push({ ...r, departmentId });
  }
  return out;
}

/**
 * Splits the rows into objects to create and objects whose fields changed, matching `existing` on
 * department + `nameKey`. `build` makes the object from the row's fields (and the existing one, if any).
 */
export function diffRows<T extends { departmentId: string }>(
  rows: DepartmentRow[],
  existing: T[],
  nameKey: keyof T & string,
  build: (departmentId: string, fields: Record<string, unknown>, before?: T) => T,
): { created: T[]; updated: T[] } {
  const byKey = new Map(existing.map((e) => [keyOf(e.departmentId, String(e[nameKey])), e]));
  const created: T[] = [];
  const updated: T[] = [];
  for (const { departmentId, values } of rows) {
    const { departmentCode: _code, ...fields } = values;
    const before = byKey.get(keyOf(departmentId, String(fields[nameKey])));
    if (!before) created.push(build(departmentId, fields));
    else if (Object.entries(fields).some(([key, value]) => !sameValue(before[key as keyof T], value)))
      updated.push(build(departmentId, fields, before));
  }
  return { created, updated };
}

/** The counts of an import, and its one audit entry keyed by the file's SHA-256. */
export async function recordImport(
  audit: AuditService,
  manager: EntityManager,
  type: string,
  file: UploadedSheet,
  rowCount: number,
  created: Array<{ id: string }>,
  updated: Array<{ id: string }>,
): Promise<ImportResult> {
  const result = {
    rows: rowCount,
    created: created.length,
    updated: updated.length,
    unchanged: rowCount - created.length - updated.length,
  };
  await audit.record(manager, {
    action: `${type}.import`,
    targetType: `${type}-import`,
    targetId: createHash('sha256').update(file.buffer).digest('hex'),
    after: {
      file: file.originalname ?? null,
      ...result,
      createdIds: created.map((c) => c.id),
      updatedIds: updated.map((u) => u.id),
    },
  });
  return result;
}
