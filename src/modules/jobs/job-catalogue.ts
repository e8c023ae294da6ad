/**
 * Every background job, once: its queue, its payload type and its retry policy. Payloads carry ids,
 * never state; handlers re-read what they need, so a retried or duplicated job is harmless.
 */
export enum QueueName {
  Audit = 'audit',
}

export enum JobName {
  AuditExport = 'audit.export',
}

export interface JobPayloads {
  [JobName.AuditExport]: { exportId: string };
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
};

export type JobOutcome = 'success' | 'skipped';
export type JobHandler<N extends JobName> = (payload: JobPayloads[N]) => Promise<JobOutcome>;
