/**
 * Every background job, once: its queue, its payload type and its retry policy. Payloads carry ids,
 * never state; handlers re-read what they need, so a retried or duplicated job is harmless.
 */
export enum QueueName {
  Audit = 'audit',
  Quota = 'quota',
  Billing = 'billing',
}

export enum JobName {
  AuditExport = 'audit.export',
  QuotaDriftCheck = 'quota.drift-check',
  BudgetCheck = 'billing.budget-check',
}

export interface JobPayloads {
  [JobName.AuditExport]: { exportId: string };
  [JobName.QuotaDriftCheck]: Record<string, never>;
  [JobName.BudgetCheck]: Record<string, never>;
}

export interface JobPolicy {
  queue: QueueName;
  attempts: number;
  backoffMs: number;
  /** Set for periodic jobs, which the workers schedule themselves instead of the outbox. */
  everyMs?: number;
}

export const JOB_POLICIES: Record<JobName, JobPolicy> = {
  [JobName.AuditExport]: { queue: QueueName.Audit, attempts: 5, backoffMs: 1000 },
  // Periodic: recompute quota use from the ledger and record any drift as a metric.
  [JobName.QuotaDriftCheck]: { queue: QueueName.Quota, attempts: 1, backoffMs: 1000, everyMs: 5 * 60_000 },
  // Periodic: meter the current month up to now and raise budget overspend forecasts.
  [JobName.BudgetCheck]: { queue: QueueName.Billing, attempts: 1, backoffMs: 1000, everyMs: 60 * 60_000 },
};

export type JobOutcome = 'success' | 'skipped';
export type JobHandler<N extends JobName> = (payload: JobPayloads[N]) => Promise<JobOutcome>;
