import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { requestContext, type RequestContext } from '../../common/request-context.js';
import { SqlParams } from '../../common/sql-params.js';

export interface AuditRecord {
  action: string;
  targetType: string;
  targetId: string;
  departmentId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Never store secrets in the audit log, whatever a caller passes. */
const SECRET_KEYS = /password|secret|token|kubeconfig|connection/i;

function redact(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(redact);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        SECRET_KEYS.test(key) ? '[redacted]' : redact(inner),
      ]),
    );
  }
  return value;
}

@Injectable()
export class AuditService {
  /**
   * Writes one entry inside the caller's transaction, so a change and its audit entry commit together.
   * The actor comes from the request (or `context`); work done by workers is recorded as "system".
   */
  async record(manager: EntityManager, record: AuditRecord, context?: RequestContext): Promise<void> {
    const params = new SqlParams();
    await manager.query(this.insert(record, params, undefined, context), params.values);
  }

  /**
   * The INSERT of one entry, for a caller that writes it in the same statement as its change (one round
   * trip): with `from`, the entry is written once per row of that CTE, so only if the change happened.
   * `context` is the request the entry belongs to, for work done on several requests' behalf at once
   * (null: no request, the system's own work).
   */
  insert(
    record: AuditRecord,
    params: SqlParams,
    from?: string,
    context: RequestContext | null = requestContext.get() ?? null,
  ): string {
    const row = auditRow(record, context);
    const values = AUDIT_COLUMNS.map(([column, type]) =>
      type === 'jsonb' ? params.json(row[column]) : params.add(row[column], type),
    );
    return `INSERT INTO audit_entries (${AUDIT_COLUMNS.map(([column]) => column).join(', ')})
      SELECT ${values.join(', ')}${from ? ` FROM ${from}` : ''}`;
  }

  /**
   * The INSERT of one entry per row of the CTE `from`, for many changes in one statement, in entry
   * order `n`: `from` carries the actor's columns (ACTOR_COLUMNS, from `auditActor`), and `record` gives
   * the SQL of each other column over `from`'s, and `at` when an entry is dated otherwise than the
   * transaction. Nothing is redacted here: the SQL must not yield secrets.
   */
  insertEach(from: string, record: Record<keyof AuditRecord, string> & { at?: string }): string {
    const values: Record<(typeof AUDIT_COLUMNS)[number][0], string> = {
      actor_id: 'actor_id',
      actor_name: 'actor_name',
      role: 'role',
      action: record.action,
      target_type: record.targetType,
      target_id: record.targetId,
      department_id: record.departmentId,
      before: record.before,
      after: record.after,
      request_id: 'request_id',
    };
    const columns = [...AUDIT_COLUMNS.map(([column]) => column), ...(record.at ? ['at'] : [])];
    const selected = [...AUDIT_COLUMNS.map(([column]) => values[column]), ...(record.at ? [record.at] : [])];
    return `INSERT INTO audit_entries (${columns.join(', ')})
      SELECT ${selected.join(', ')} FROM ${from} ORDER BY n`;
  }
}

/** The columns of an audit entry a caller supplies, with their types. */
const AUDIT_COLUMNS = [
  ['actor_id', 'uuid'],
  ['actor_name', 'varchar'],
  ['role', 'varchar'],
  ['action', 'varchar'],
  ['target_type', 'varchar'],
  ['target_id', 'varchar'],
  ['department_id', 'uuid'],
  ['before', 'jsonb'],
  ['after', 'jsonb'],
  ['request_id', 'varchar'],
] as const;

/** The columns naming who made a change, with their types. */
export const ACTOR_COLUMNS = [
  ['actor_id', 'uuid'],
  ['actor_name', 'varchar'],
  ['role', 'varchar'],
  ['request_id', 'varchar'],
] as const;

export type AuditActor = Record<(typeof ACTOR_COLUMNS)[number][0], string | null>;

/** Who made a change: the principal of `context` (null: no request, the system's own work). */
export function auditActor(context: RequestContext | null): AuditActor {
  const principal = context?.principal;
  return {
    actor_id: principal?.userId ?? null,
    // A request nobody has signed in to (a login for an unknown name) is anonymous; no request: the system.
    actor_name: principal?.username ?? (context ? 'anonymous' : 'system'),
    role: principal?.role ?? null,
    request_id: context?.requestId ?? null,
  };
}

/** An entry as its row: the actor from `context`, secrets redacted. */
function auditRow(record: AuditRecord, context: RequestContext | null): Record<string, unknown> {
  return {
    ...auditActor(context),
    action: record.action,
    target_type: record.targetType,
    target_id: record.targetId,
    department_id: record.departmentId ?? null,
    before: redact(record.before),
    after: redact(record.after),
  };
}
