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
  async enqueue<N extends JobName>(manager: EntityManager, name: N, payload: JobPayloads[N]): Promise<void> {
    await manager.query(
      `WITH message AS (
         INSERT INTO outbox_messages (queue, job_name, payload) VALUES ($1, $2, $3::jsonb) RETURNING id
       ) SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM message`,
      [JOB_POLICIES[name].queue, name, JSON.stringify(payload)],
    );
  }
}
