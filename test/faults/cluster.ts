// The fault suite's own deployment: a private PostgreSQL and Redis (so restarting them hurts no other
// test), a second Redis standing for the cloud behind the fake pool (a control-plane Redis restart must
// not wipe what "exists" in the pool), two API processes and three workers, as production runs them.
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startPostgres, startRedis, type LocalPostgres } from '../../scripts/local-services.js';
import { createDatabase, migrate } from '../support/database.js';
import { spawnEntry, startApi, type Proc } from '../support/processes.js';

const root = path.resolve(import.meta.dirname, '../..');
type LocalRedis = Awaited<ReturnType<typeof startRedis>>;

/** Generous: the suite runs on a loaded two-core machine. */
export const BOOT_TIMEOUT_MS = 120_000;

export class Cluster {
  readonly apiUrls: string[] = [];
  private readonly apis: Proc[] = [];
  private readonly workers: Proc[] = [];
  private readonly started = new Set<Proc>();
  private workerCount = 0;
  /** Workers that exited while starting and were started again. */
  bootFailures = 0;

  private constructor(
    readonly databaseUrl: string,
    private readonly pg: LocalPostgres,
    private redis: LocalRedis,
    readonly cloudRedisUrl: string,
    private readonly cloudRedis: LocalRedis,
    private readonly env: NodeJS.ProcessEnv,
    private readonly dataDir: string,
  ) {}

  static async start(log: (line: string) => void): Promise<Cluster> {
    const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const dataDir = path.join(root, '.data', `faults-${run}`);
    const pg = await startPostgres(log, path.join(dataDir, 'pg'));
    const [redis, cloudRedis] = await Promise.all([startRedis(), startRedis()]);
    const databaseUrl = await createDatabase(pg.url, 'govcloud_faults');
    await migrate(databaseUrl);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      FAKE_POOL_REDIS_URL: cloudRedis.url,
      QUEUE_PREFIX: `faults-${run}`,
      GOVCLOUD_ADMIN_PASSWORD: randomBytes(12).toString('hex'),
      LOG_LEVEL: 'warn',
      OUTBOX_POLL_MS: '200',
      WORKER_CONCURRENCY: '4',
      // A killed worker's job is taken up again within about lock + stalled interval.
      WORKER_LOCK_MS: '5000',
      WORKER_STALLED_INTERVAL_MS: '2000',
    };
    const cluster = new Cluster(databaseUrl, pg, redis, cloudRedis.url, cloudRedis, env, dataDir);
    try {
      const ports = [await freePort(), await freePort()];
      await Promise.all([
        ...ports.map(async (port, i) => {
          cluster.apis.push(await startApi(`api-${i + 1}`, port, env));
          cluster.apiUrls.push(`http://127.0.0.1:${port}`);
        }),
        ...[0, 1, 2].map(() => cluster.spawnWorker()),
      ]);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /**
   * A worker process, answered once it has started its BullMQ workers. One that exits while starting
   * (it cannot reach PostgreSQL at boot) is started again a second later, as Kubernetes would.
   */
  private async spawnWorker(): Promise<void> {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    for (;;) {
      const proc = spawnEntry(`worker-${++this.workerCount}`, 'src/worker.ts', {
        ...this.env,
        LOG_LEVEL: 'info',
      });
      this.workers.push(proc);
      try {
        await withTimeout(proc.printed('workers started'), deadline - Date.now(), `${proc.name} to start`);
        this.started.add(proc);
        return;
      } catch (error) {
        const exited = proc.child.exitCode !== null || proc.child.signalCode !== null;
        if (!exited || Date.now() > deadline) {
          throw new Error(`${(error as Error).message}; it printed last:\n${proc.tail()}`);
        }
        this.workers.splice(this.workers.indexOf(proc), 1);
        this.bootFailures++;
        await sleep(1000);
      }
    }
  }

  /**
   * SIGKILLs a random worker and starts another in its place (as a supervisor would), without waiting
   * for it; answers when the replacement is ready (ms after the kill). Only while every worker is up
   * (undefined otherwise): on a slow machine boots would pile up and leave no worker at all.
   */
  killRandomWorker(): Promise<number> | undefined {
    const started = this.workers.filter((w) => this.started.has(w));
    if (started.length < this.workers.length) return undefined;
    const victim = started[Math.floor(Math.random() * started.length)];
    this.workers.splice(this.workers.indexOf(victim), 1);
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    return victim.exited.then(() => this.spawnWorker()).then(() => Date.now() - killedAt);
  }

  /** Stops the control plane's Redis (it keeps nothing: every job and lock is gone), `downMs` later starts it again. */
  async restartRedis(downMs: number, whileDown: () => Promise<void>): Promise<void> {
    await this.redis.stop();
    const started = Date.now();
    await whileDown();
    await sleep(Math.max(0, downMs - (Date.now() - started)));
    this.redis = await startRedis(this.redis.port);
  }

  async flushRedis(): Promise<void> {
    const client = new Redis(this.redis.url);
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
  }

  /** A fast shutdown of PostgreSQL (every session cut), `downMs` later a start on the same port and data. */
  async restartPostgres(downMs: number, whileDown: () => Promise<void>): Promise<void> {
    await this.pg.stop();
    const started = Date.now();
    await whileDown();
    await sleep(Math.max(0, downMs - (Date.now() - started)));
    await this.pg.start();
  }

  /** The last lines of every process, for a failure message. */
  tails(): string {
    return [...this.apis, ...this.workers].map((p) => `--- ${p.name}\n${p.tail()}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apis, ...this.workers].map((p) => p.stop(10_000)));
    await Promise.all([this.redis.stop(), this.cloudRedis.stop(), this.pg.stop()]);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
