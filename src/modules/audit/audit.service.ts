import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { requestContext } from '../../common/request-context.js';
import { AuditEntry } from './entities/audit-entry.entity.js';

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
   * The actor comes from the request; work done by workers is recorded as "system".
   */
  async record(manager: EntityManager, record: AuditRecord): Promise<void> {
    const context = requestContext.get();
    const principal = context?.principal;
    await manager.getRepository(AuditEntry).insert({
      actorId: principal?.userId ?? null,
      actorName: principal?.username ?? 'system',
      role: principal?.role ?? null,
      action: record.action,
      targetType: record.targetType,
      targetId: record.targetId,
      departmentId: record.departmentId ?? null,
      before: redact(record.before) as object,
      after: redact(record.after) as object,
      requestId: context?.requestId ?? null,
    });
  }
}
