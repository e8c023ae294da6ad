import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlParams } from '../../common/sql-params.js';
import { JOB_POLICIES, type JobName, type JobPayloads } from './job-catalogue.js';

/** The channel a committed outbox row is announced on, so relays wake at once rather than at their next poll. */
export const OUTBOX_CHANNEL = 'govcloud_outbox';

@Injectable()
export class OutboxService {
  /**
   * Call inside the transaction that makes the change, so the work exists if and only if the change
   * does. One statement: the row, and a notification PostgreSQL delivers when (and only if) it commits.
   */
  enqueue<N extends JobName>(manager: EntityManager, name: N, payload: JobPayloads[N]): Promise<void> {
    return this.enqueueMany(manager, name, [payload]);
  }

  /** Several jobs of one kind in one statement, with one notification: relays wake once for all. */
  async enqueueMany<N extends JobName>(
    manager: EntityManager,
    name: N,
    payloads: Array<JobPayloads[N]>,
  ): Promise<void> {
    const params = new SqlParams();
    await manager.query(`WITH ${this.insert(params, name, payloads)} SELECT 1 FROM notified`, params.values);
  }

  /**
   * The CTEs of `enqueueMany`, for a caller that writes the jobs in the statement of its own change:
   * `message` writes the rows, `notified` sends the notification, only if the main query reads it.
   */
  insert<N extends JobName>(params: SqlParams, name: N, payloads: Array<JobPayloads[N]>): string {
    return `message AS (
        INSERT INTO outbox_messages (queue, job_name, payload)
        SELECT ${params.add(JOB_POLICIES[name].queue, 'varchar')}, ${params.add(name, 'varchar')}, p
        FROM jsonb_array_elements(${params.json(payloads)}) WITH ORDINALITY AS m(p, n) ORDER BY n
        RETURNING id
      ), notified AS (SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM (SELECT 1 FROM message LIMIT 1) AS one)`;
  }
}
