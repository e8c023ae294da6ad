import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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
    await manager.query(
      `WITH message AS (
         INSERT INTO outbox_messages (queue, job_name, payload)
         SELECT $1, $2, p FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS m(p, n) ORDER BY n
         RETURNING id
       ) SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM (SELECT 1 FROM message LIMIT 1) AS one`,
      [JOB_POLICIES[name].queue, name, JSON.stringify(payloads)],
    );
  }
}
