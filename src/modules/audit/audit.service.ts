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
    const principal = context?.principal;
    const values = [
      params.add(principal?.userId ?? null, 'uuid'),
      // A request nobody has signed in to (a login for an unknown name) is anonymous; no request: the system.
      params.add(principal?.username ?? (context ? 'anonymous' : 'system'), 'varchar'),
      params.add(principal?.role ?? null, 'varchar'),
      params.add(record.action, 'varchar'),
      params.add(record.targetType, 'varchar'),
      params.add(record.targetId, 'varchar'),
      params.add(record.departmentId ?? null, 'uuid'),
      params.json(redact(record.before)),
      params.json(redact(record.after)),
      params.add(context?.requestId ?? null, 'varchar'),
    ];
    return `INSERT INTO audit_entries (actor_id, actor_name, role, action, target_type, target_id, department_id, before, after, request_id)
      SELECT ${values.join(', ')}${from ? ` FROM ${from}` : ''}`;
  }
}
