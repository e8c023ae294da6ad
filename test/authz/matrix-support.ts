// The vocabulary of matrix.ts: callers, rows and the context a row's request builder gets.
import type { DataSource } from 'typeorm';
import type { World } from '../support/harness.js';
import type { Department } from '../../src/modules/tenancy/entities/department.entity.js';

/** The matrix's columns, in order. `own`/`other`: dept-admins of the owning / of another department. */
export const CALLERS = ['operator', 'finance', 'own', 'other', 'auditor', 'anon'] as const;
export type Caller = (typeof CALLERS)[number];

export interface Tree {
  city: Department;
  district: Department;
  /** The department that owns the objects of a row. */
  dept: Department;
  unit: Department;
  other: Department;
}

export interface Ctx {
  world: World;
  tree: Tree;
  dataSource: DataSource;
  /** Calls the API as a caller to set objects up; answers the body and throws on a non-2xx answer. */
  as(caller: Exclude<Caller, 'anon'>, method: string, path: string, body?: unknown): Promise<any>;
}

export interface MatrixRequest {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  /** A multipart upload (spreadsheet imports): sent instead of a JSON body. */
  file?: { field: string; name: string; content: Buffer };
}

export interface Row {
  /** "METHOD /path" exactly as in /api/docs-json. */
  operation: string;
  method: string;
  path: string;
  expected: Record<Caller, number>;
  /** The statuses as written, for a readable diff. */
  statuses: string;
  request: (c: Ctx) => MatrixRequest | Promise<MatrixRequest>;
}

export function row(
  statuses: string,
  operation: string,
  request: (c: Ctx) => MatrixRequest | Promise<MatrixRequest> = () => ({}),
): Row {
  const codes = statuses.trim().split(/\s+/).map(Number);
  if (codes.length !== CALLERS.length || codes.some((code) => !(code >= 100 && code < 600))) {
    throw new Error(`matrix row ${operation}: expected ${CALLERS.length} statuses, got "${statuses}"`);
  }
  const [method, path, ...rest] = operation.trim().split(/\s+/);
  if (!path || rest.length > 0 || !/^[A-Z]+$/.test(method)) {
    throw new Error(`matrix row "${operation}": write "METHOD /path"`);
  }
  const expected = Object.fromEntries(CALLERS.map((caller, i) => [caller, codes[i]])) as Record<
    Caller,
    number
  >;
  return { operation: `${method} ${path}`, method, path, expected, statuses: codes.join(' '), request };
}

/** "GET /a/{id}" with params → the URL, refusing a placeholder the row did not fill. */
export function urlOf(path: string, request: MatrixRequest): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = request.params?.[name];
    if (value === undefined) throw new Error(`${path}: the row's request gives no params.${name}`);
    return encodeURIComponent(value);
  });
  const pairs = Object.entries(request.query ?? {}).map(([key, value]): [string, string] => [
    key,
    String(value),
  ]);
  const query = new URLSearchParams(pairs).toString();
  return query ? `${filled}?${query}` : filled;
}
