import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../../config/config.js';
import { WorkerMetricsServer } from '../health/worker-metrics-server.js';
import { QueueName } from './job-catalogue.js';
import { OutboxRelay } from './outbox-relay.js';
import { OutboxService } from './outbox.service.js';
import { QueueRegistry } from './queue-registry.js';
import { redisOptions } from './redis-connection.js';
import { WorkerRuntime } from './worker-runtime.js';

const queues = BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name })));

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: redisOptions(config.REDIS_URL),
        prefix: config.QUEUE_PREFIX,
      }),
    }),
    queues,
  ],
  providers: [OutboxService, QueueRegistry, OutboxRelay],
  exports: [OutboxService, QueueRegistry, OutboxRelay, queues],
})
export class JobsModule {}

/** Imported only by the worker entry point: runs the workers and the relay, and serves their metrics. */
@Module({ imports: [DiscoveryModule], providers: [WorkerRuntime, WorkerMetricsServer] })
export class WorkerRuntimeModule {}
