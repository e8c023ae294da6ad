import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config.js';
import { rootLogger } from '../../common/logger.js';
import { MetricsService } from '../health/metrics.service.js';
import {
  JOB_POLICIES,
  JOB_RETENTION,
  JobName,
  QueueName,
  retryDelay,
  type JobHandler,
  type JobOutcome,
} from './job-catalogue.js';
import { ON_JOB } from './on-job.decorator.js';
import { OutboxRelay, STALE_AFTER_MS } from './outbox-relay.js';
import { OUTBOX_CHANNEL } from './outbox.service.js';
import { logErrors, redisOptions } from './redis-connection.js';
import { QueueRegistry } from './queue-registry.js';

/** Outbox rows' ids (which are their jobs' ids); repeatable jobs have others. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A failure that retrying cannot fix (bad spec, object refused): the job ends failed at once. */
export class TerminalJobError extends UnrecoverableError {}

/**
 * The worker side of the job system: one BullMQ Worker per queue dispatching to the @OnJob handlers,
 * the outbox relay loop, and the repeatable jobs. Only src/worker.ts (and the demo) start it.
 */
@Injectable()
export class WorkerRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = rootLogger().child({ component: 'worker' });
  private readonly handlers = new Map<JobName, JobHandler<JobName>>();
  private readonly workers: Worker[] = [];
  private relayTimer?: NodeJS.Timeout;
  private schedulerTimer?: NodeJS.Timeout;
  private relayRunning?: Promise<unknown>;
  /** A wake-up came while a pass was running: run one more after it (with the stale check if a poll asked for it). */
  private relayAgain = false;
  private staleAgain = false;
  private listener?: pg.Client;
  private relistenTimer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly relay: OutboxRelay,
    private readonly queues: QueueRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.collectHandlers();
    for (const queue of Object.values(QueueName)) this.workers.push(this.startWorker(queue));
    void this.ensureRepeatables();
    this.schedulerTimer = setInterval(() => void this.ensureRepeatables(), STALE_AFTER_MS);
    this.relayTimer = setInterval(() => this.tickRelay(true), this.config.OUTBOX_POLL_MS);
    void this.listen();
    this.log.info(
      { queues: Object.values(QueueName), concurrency: this.config.WORKER_CONCURRENCY },
      'workers started',
    );
  }

  /**
   * Graceful shutdown: stop taking jobs, let in-flight ones finish (for up to WORKER_DRAIN_MS), then close.
   * Before the application shutdown hooks, because those close what the jobs still use (the database, the
   * pool drivers).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.relayTimer);
    clearInterval(this.schedulerTimer);
    clearTimeout(this.relistenTimer);
    await this.listener?.end().catch(() => undefined);
    const drain = async () => {
      await this.relayRunning;
      await Promise.all(this.workers.map((worker) => worker.close()));
      return true;
    };
    const deadline = new AbortController();
    const drained = await Promise.race([
      drain(),
      sleep(this.config.WORKER_DRAIN_MS, false, { signal: deadline.signal }).catch(() => false),
    ]);
    deadline.abort();
    // A BullMQ close cannot be hurried once begun (a second call answers the first one's promise), and
    // while Redis is away it never ends: stop waiting. The signal ends the process after the remaining
    // hooks; the jobs still running keep no lock, so other workers take them up.
    if (!drained) {
      this.log.warn(
        { drainMs: this.config.WORKER_DRAIN_MS },
        'in-flight jobs did not finish in time (is Redis away?): shutting down without them',
      );
    }
  }

  private collectHandlers(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const name = this.reflector.get<JobName | undefined>(ON_JOB, (instance as any)[method]);
        if (!name) continue;
        if (this.handlers.has(name)) throw new Error(`job ${name} has two handlers`);
        this.handlers.set(name, (instance as any)[method].bind(instance));
      }
    }
    const missing = Object.values(JobName).filter((name) => !this.handlers.has(name));
    if (missing.length > 0) throw new Error(`jobs without a handler: ${missing.join(', ')}`);
  }

  private startWorker(queue: QueueName): Worker {
    const worker = new Worker(queue, (job) => this.run(job), {
      connection: redisOptions(this.config.REDIS_URL),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.WORKER_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_MS,
      stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: 5,
      settings: {
        backoffStrategy: (attemptsMade, _type, _error, job) =>
          retryDelay(JOB_POLICIES[job?.name as JobName] ?? { backoffMs: 1000 }, attemptsMade),
      },
    });
    logErrors(worker, this.log, 'worker error', { queue });
    return worker;
  }

  private async run(job: Job): Promise<JobOutcome> {
    const name = job.name as JobName;
    const handler = this.handlers.get(name);
    if (!handler) throw new TerminalJobError(`no handler for job ${job.name}`);
    const attempts = job.opts.attempts ?? 1;
    const labels = { queue: job.queueName, job: name };
    const timer = this.metrics.jobDuration.startTimer(labels);
    try {
      const outcome = await handler(job.data, {
        jobId: job.id,
        attempt: job.attemptsMade + 1,
        lastAttempt: job.attemptsMade + 1 >= attempts,
      });
      await this.markDone(job.id, null);
      this.metrics.jobRuns.inc({ ...labels, outcome });
      return outcome;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= attempts;
      this.log.warn({ job: job.id, name, attempt: job.attemptsMade + 1, final, err: message }, 'job failed');
      if (final) await this.markDone(job.id, message);
      this.metrics.jobRuns.inc({ ...labels, outcome: final ? 'failed' : 'retrying' });
      throw error;
    } finally {
      timer();
    }
  }

  /** Outbox rows are done when their job succeeds or fails for good; repeatable jobs have no row. */
  private async markDone(jobId: string | undefined, lastError: string | null): Promise<void> {
    if (!jobId || !UUID.test(jobId)) return;
    await this.dataSource.query(
      `UPDATE outbox_messages SET done_at = now(), last_error = $2 WHERE id = $1 AND done_at IS NULL`,
      [jobId, lastError],
    );
  }

  /**
   * The repeatable jobs' schedulers live only in Redis: a flushed or restarted Redis loses them, so
   * every worker checks for them as often as the relay looks for lost jobs, and puts back what is gone.
   * Only a missing one, or one not as the catalogue has it (another interval, no retention: made by an
   * older release), is upserted, so a check never moves a current scheduler's next run.
   */
  private async ensureRepeatables(): Promise<void> {
    for (const [name, policy] of Object.entries(JOB_POLICIES)) {
      if (!policy.everyMs) continue;
      const queue = this.queues.get(policy.queue);
      try {
        const current = await queue.getJobScheduler(name);
        const opts = current?.template?.opts;
        if (
          current?.every === policy.everyMs &&
          isDeepStrictEqual(
            { removeOnComplete: opts?.removeOnComplete, removeOnFail: opts?.removeOnFail },
            JOB_RETENTION,
          )
        )
          continue;
        // upsertJobScheduler is idempotent across processes: two workers restoring it make one.
        await queue.upsertJobScheduler(
          name,
          { every: policy.everyMs },
          { name, data: {}, opts: JOB_RETENTION },
        );
      } catch (error) {
        this.log.error({ err: error, name }, 'could not schedule job');
      }
    }
  }

  /**
   * One relay pass. Only the poll looks for stale rows: a notification announces new rows, and every
   * committed admission sends one, so checking Redis for lost jobs on each would repeat the same work.
   */
  private tickRelay(stale: boolean): void {
    if (this.stopping) return;
    if (this.relayRunning) {
      this.relayAgain = true;
      this.staleAgain ||= stale;
      return;
    }
    this.relayRunning = this.relay
      .pump(new Date(), stale)
      .catch((error: unknown) => this.log.warn({ err: (error as Error).message }, 'outbox relay pass failed'))
      .finally(() => {
        this.relayRunning = undefined;
        if (this.relayAgain) {
          const again = this.staleAgain;
          this.relayAgain = false;
          this.staleAgain = false;
          this.tickRelay(again);
        }
      });
  }

  /**
   * LISTENs on a connection of its own for committed outbox rows (OutboxService.enqueue) and relays them
   * at once. The poll stays as the safety net: while this connection is down (PostgreSQL restarting)
   * rows wait for it, and it is made again every second.
   */
  private async listen(): Promise<void> {
    if (this.stopping) return;
    const client = new pg.Client({
      connectionString: this.config.DATABASE_URL,
      application_name: 'govcloud-outbox-listener',
    });
    let lost = false;
    const again = () => {
      if (lost) return;
      lost = true;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      if (!this.stopping) this.relistenTimer = setTimeout(() => void this.listen(), 1000);
    };
    client.on('error', again);
    client.on('end', again);
    client.on('notification', () => this.tickRelay(false));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (this.stopping) return void (await client.end());
      this.listener = client;
      // Rows committed before the LISTEN took effect announced themselves to no one.
      this.tickRelay(false);
    } catch (error) {
      this.log.warn(
        { err: (error as Error).message },
        'outbox listener could not connect; polling meanwhile',
      );
      again();
    }
  }
}
