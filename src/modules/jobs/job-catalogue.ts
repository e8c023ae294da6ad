/**
 * Every background job, once: its queue, its payload type and its retry policy. Payloads carry ids,
 * never state; handlers re-read what they need, so a retried or duplicated job is harmless.
 */
export enum QueueName {
  Audit = 'audit',
  Quota = 'quota',
  Provisioning = 'provisioning',
  Reconcile = 'reconcile',
  Billing = 'billing',
}

export enum JobName {
  AuditExport = 'audit.export',
  QuotaDriftCheck = 'quota.drift-check',
  ResourceConverge = 'resource.converge',
  PoolReconcile = 'pool.reconcile',
  BudgetCheck = 'billing.budget-check',
}

export interface JobPayloads {
  [JobName.AuditExport]: { exportId: string };
  [JobName.QuotaDriftCheck]: Record<string, never>;
  [JobName.ResourceConverge]: { resourceIds: string[] };
  [JobName.PoolReconcile]: Record<string, never>;
  [JobName.BudgetCheck]: Record<string, never>;
}

export interface JobPolicy {
  queue: QueueName;
  attempts: number;
  /** First retry delay; each further retry doubles it, up to maxBackoffMs. */
  backoffMs: number;
  /** The cap on the retry delay (default DEFAULT_MAX_BACKOFF_MS). */
  maxBackoffMs?: number;
  /** Set for periodic jobs, which the workers schedule themselves instead of the outbox. */
  everyMs?: number;
}

export const DEFAULT_MAX_BACKOFF_MS = 60_000;
export const CAPPED_BACKOFF = 'capped';

export const JOB_POLICIES: Record<JobName, JobPolicy> = {
  [JobName.AuditExport]: { queue: QueueName.Audit, attempts: 5, backoffMs: 1000 },
  // Periodic: recompute quota use from the ledger and record any drift as a metric.
  [JobName.QuotaDriftCheck]: { queue: QueueName.Quota, attempts: 1, backoffMs: 1000, everyMs: 5 * 60_000 },
  // Drives resources towards their desired states through their pools' drivers; the ids are all it carries.
  [JobName.ResourceConverge]: {
    queue: QueueName.Provisioning,
    attempts: 8,
    backoffMs: 1000,
    maxBackoffMs: 30_000,
  },
  // Periodic: compares every pool with the database, recreates what is missing, drives stuck resources
  // again, reports orphans.
  [JobName.PoolReconcile]: { queue: QueueName.Reconcile, attempts: 1, backoffMs: 1000, everyMs: 60_000 },
  // Periodic: meter the current month up to now and raise budget overspend forecasts.
  [JobName.BudgetCheck]: { queue: QueueName.Billing, attempts: 1, backoffMs: 1000, everyMs: 60 * 60_000 },
};

/**
 * How many finished jobs a queue keeps, per outcome, for operators to look at: every job, queued by the
 * relay or by a scheduler, carries it, or Redis (which must not evict) fills with them until it stops.
 */
export const JOB_RETENTION = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } } as const;

/** The most resources one converge job drives: its driver calls and its statements cover them all. */
export const RESOURCES_PER_JOB = 100;

/** Converge jobs for these resources, RESOURCES_PER_JOB at most to a job. */
export function convergeJobs(resourceIds: string[]): Array<JobPayloads[JobName.ResourceConverge]> {
  const jobs = [];
  for (let i = 0; i < resourceIds.length; i += RESOURCES_PER_JOB)
    jobs.push({ resourceIds: resourceIds.slice(i, i + RESOURCES_PER_JOB) });
  return jobs;
}

export type JobOutcome = 'success' | 'skipped';

/** What a handler may know about the run: whether a failure now is the job's last (no retry follows). */
export interface JobContext {
  jobId: string | undefined;
  attempt: number;
  lastAttempt: boolean;
}

export type JobHandler<N extends JobName> = (
  payload: JobPayloads[N],
  context: JobContext,
) => Promise<JobOutcome>;

/** Retry delay: exponential from the policy's backoffMs, capped, with ±20% jitter so retries spread out. */
export function retryDelay(
  policy: Pick<JobPolicy, 'backoffMs' | 'maxBackoffMs'>,
  attemptsMade: number,
  random = Math.random,
): number {
  const cap = policy.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const base = Math.min(cap, policy.backoffMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
