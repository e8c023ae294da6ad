import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboxMessage } from './entities/outbox-message.entity.js';
import { JOB_POLICIES, type JobName, type JobPayloads } from './job-catalogue.js';

@Injectable()
export class OutboxService {
  /** Call inside the transaction that makes the change, so the work exists if and only if the change does. */
  async enqueue<N extends JobName>(
    manager: EntityManager,
    name: N,
    payload: JobPayloads[N],
  ): Promise<OutboxMessage> {
    return manager.getRepository(OutboxMessage).save({
      queue: JOB_POLICIES[name].queue,
      jobName: name,
      payload: payload as unknown as Record<string, unknown>,
    });
  }
}
