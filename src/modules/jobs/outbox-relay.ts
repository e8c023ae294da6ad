import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, LessThan } from 'typeorm';
import { rootLogger } from '../../common/logger.js';
import { OutboxMessage } from './entities/outbox-message.entity.js';
import {
  CAPPED_BACKOFF,
  JOB_POLICIES,
  JOB_RETENTION,
  type JobName,
  type QueueName,
} from './job-catalogue.js';
import { QueueRegistry } from './queue-registry.js';

const BATCH = 500;

type Relayed = Pick<OutboxMessage, 'id' | 'jobName' | 'payload'>;
/** A row enqueued this long ago and still not done is checked against Redis, and re-enqueued if its job is gone. */
export const STALE_AFTER_MS = 15_000;

/**
 * Copies outbox rows into BullMQ. Any number of relays may run: the job id is the row id, so BullMQ
 * ignores a second add of a job it still holds, and handlers are idempotent for the rest.
 */
@Injectable()
export class OutboxRelay {
  private readonly log = rootLogger().child({ component: 'outbox-relay' });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: QueueRegistry,
  ) {}

  /**
   * One pass: enqueue new rows, then (with `checkStale`) re-enqueue stale ones whose job Redis no longer
   * holds, and close those whose job ended without a worker recording it.
   */
  async pump(now = new Date(), checkStale = true): Promise<{ enqueued: number; requeued: number }> {
    const repo = this.dataSource.getRepository(OutboxMessage);
    const fresh = await this.claimFresh(now);
    try {
      await this.add(fresh);
    } catch (error) {
      // Give them back to the next pass; should this fail too, the stale check finds them.
      if (fresh.length > 0) await repo.update({ id: In(fresh.map((m) => m.id)) }, { enqueuedAt: null });
      throw error;
    }
    if (!checkStale) return { enqueued: fresh.length, requeued: 0 };

    const stale = await repo.find({
      where: { doneAt: IsNull(), enqueuedAt: LessThan(new Date(now.getTime() - STALE_AFTER_MS)) },
      order: { enqueuedAt: 'ASC' },
      take: BATCH,
    });
    const lost: OutboxMessage[] = [];
    for (const message of stale) {
      const job = await this.queues.get(JOB_POLICIES[message.jobName as JobName].queue).getJob(message.id);
      if (!job) {
        lost.push(message);
        continue;
      }
      // Ended, yet the row is open: BullMQ failed it without the handler (stalled too often), or the
      // worker could not mark the row (the database was away). Re-adding would do nothing (BullMQ keeps
      // the id), so the row is closed with what BullMQ knows; the reconciler takes up a resource it left
      // in a working state.
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') {
        const error = state === 'failed' ? job.failedReason || 'failed' : null;
        await repo.update({ id: message.id, doneAt: IsNull() }, { doneAt: now, lastError: error });
        this.log.warn(
          { job: message.id, name: message.jobName, state, err: error },
          'closed an outbox row its job had outlived',
        );
      }
    }
    await this.add(lost);
    if (stale.length > 0) await repo.update({ id: In(stale.map((m) => m.id)) }, { enqueuedAt: now });
    if (lost.length > 0) this.log.warn({ count: lost.length }, 're-enqueued jobs that Redis had lost');
    return { enqueued: fresh.length, requeued: lost.length };
  }

  /**
   * Marks up to BATCH new rows enqueued and answers them, oldest first. Every worker relays, and every
   * admission notifies them all: rows one relay has claimed are skipped by the others, so each row
   * goes to Redis once rather than once per worker. Rows of a relay that dies before adding them wait
   * for the stale check.
   */
  private claimFresh(now: Date): Promise<Relayed[]> {
    return this.dataSource.query(
      `WITH claimed AS (
         UPDATE outbox_messages SET enqueued_at = $1
         WHERE id IN (SELECT id FROM outbox_messages WHERE done_at IS NULL AND enqueued_at IS NULL
                      ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id, job_name, payload, created_at)
       SELECT id, job_name AS "jobName", payload FROM claimed ORDER BY created_at`,
      [now, BATCH],
    );
  }

  /** One Redis round trip per queue (addBulk), however many messages. */
  private async add(messages: Relayed[]): Promise<void> {
    const byQueue = new Map<QueueName, Relayed[]>();
    for (const message of messages) {
      const queue = JOB_POLICIES[message.jobName as JobName].queue;
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), message]);
    }
    for (const [queue, batch] of byQueue) {
      await this.queues.get(queue).addBulk(
        batch.map((message) => {
          const policy = JOB_POLICIES[message.jobName as JobName];
          return {
            name: message.jobName,
            data: message.payload,
            opts: {
              jobId: message.id,
              attempts: policy.attempts,
              // 'capped': the workers' backoffStrategy (retryDelay) reads the policy by job name.
              backoff: { type: CAPPED_BACKOFF, delay: policy.backoffMs },
              ...JOB_RETENTION,
            },
          };
        }),
      );
    }
  }
}
