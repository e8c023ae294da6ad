import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { rootLogger } from '../../common/logger.js';
import { AppConfig } from '../../config/config.js';
import { QueueName } from './job-catalogue.js';
import { logErrors, redisOptions } from './redis-connection.js';

/** The process's one Queue per queue name, for adding jobs and reading their state. */
@Injectable()
export class QueueRegistry implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(config: AppConfig) {
    const log = rootLogger().child({ component: 'queues' });
    for (const name of Object.values(QueueName)) {
      const queue = new Queue(name, {
        connection: redisOptions(config.REDIS_URL),
        prefix: config.QUEUE_PREFIX,
      });
      // Listening before its first connection attempt can fail: BullMQ prints what no one listens for.
      logErrors(queue, log, 'queue error', { queue: name });
      this.queues.set(name, queue);
    }
  }

  get(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  /** After the workers' drain (beforeApplicationShutdown): the relay adds jobs until it stops. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()));
  }
}
