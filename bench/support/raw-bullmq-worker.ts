// The ceiling of bench/provisioning.ts: a process that runs BullMQ no-op jobs, nothing else.
// Env: REDIS_URL, QUEUE_PREFIX, RAW_QUEUE, WORKER_CONCURRENCY, and the lock settings of src/worker.ts.
import { Worker } from 'bullmq';
import { redisOptions } from '../../src/modules/jobs/redis-connection.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const worker = new Worker(env('RAW_QUEUE'), async () => 'success', {
  connection: redisOptions(env('REDIS_URL')),
  prefix: env('QUEUE_PREFIX'),
  concurrency: Number.parseInt(env('WORKER_CONCURRENCY'), 10),
  lockDuration: Number.parseInt(process.env.WORKER_LOCK_MS ?? '10000', 10),
  stalledInterval: Number.parseInt(process.env.WORKER_STALLED_INTERVAL_MS ?? '5000', 10),
});
worker.on('ready', () => console.log('workers started'));
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
