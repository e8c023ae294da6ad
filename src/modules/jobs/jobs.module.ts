import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WorkerMetricsServer } from '../health/worker-metrics-server.js';
import { OutboxRelay } from './outbox-relay.js';
import { OutboxService } from './outbox.service.js';
import { QueueRegistry } from './queue-registry.js';
import { WorkerRuntime } from './worker-runtime.js';

@Global()
@Module({
  providers: [OutboxService, QueueRegistry, OutboxRelay],
  exports: [OutboxService, QueueRegistry, OutboxRelay],
})
export class JobsModule {}

/** Imported only by the worker entry point: runs the workers and the relay, and serves their metrics. */
@Module({ imports: [DiscoveryModule], providers: [WorkerRuntime, WorkerMetricsServer] })
export class WorkerRuntimeModule {}
