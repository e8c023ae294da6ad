import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { QueueRegistry } from '../jobs/queue-registry.js';

/** One registry for the process; modules register their own metrics on it. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'govcloud_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Job runs by outcome: success, skipped, retrying (an attempt failed, another follows) or failed. */
  readonly jobRuns = new Counter({
    name: 'govcloud_jobs_total',
    help: 'Job runs by queue, job name and outcome',
    labelNames: ['queue', 'job', 'outcome'],
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'govcloud_job_duration_seconds',
    help: 'Job run time, whatever its outcome',
    labelNames: ['queue', 'job'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  constructor(queues: QueueRegistry) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'govcloud_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        for (const queue of queues.all()) {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
          for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
        }
      },
    });
  }

  /** A gauge on the registry; with `collect`, its values are read at each scrape. */
  gauge(
    name: string,
    help: string,
    labelNames: string[] = [],
    collect?: (gauge: Gauge) => Promise<void>,
  ): Gauge {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Gauge;
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect && {
        collect() {
          return collect(this);
        },
      }),
    });
  }
}

/** Whether a scrape may read the metrics: any, without METRICS_TOKEN; else only its bearer. */
export function scrapeAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const given = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? '';
  // Compared as digests: equal lengths, and no timing to learn the token from.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
