/** Positional parameters for a statement built in pieces: each value goes in once, with its type. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }

  /** A JSON value as jsonb (node-postgres would send a top-level array as a PostgreSQL array). */
  json(value: unknown): string {
    return this.add(value === null || value === undefined ? null : JSON.stringify(value), 'jsonb');
  }

  /** Rows as a FROM item `x` with these typed columns: many rows in one parameter. */
  recordset(rows: object[], columns: ReadonlyArray<readonly [string, string]>): string {
    return `jsonb_to_recordset(${this.json(rows)}) AS x(${columns.map(([c, t]) => `${c} ${t}`).join(', ')})`;
  }
}
