import { Redis } from 'ioredis';
import { objectName } from '../naming.js';
import type { ObservedPhase } from '../types.js';

/**
 * The state of one fake pool, kept in Redis so that every worker process driving the pool sees the
 * same objects (a crash test can count what really exists), plus the knobs a test turns at run time
 * from any process: latency, failure rate, failures on the next N calls, and pause (every call hangs
 * until resumed, as a stuck API server would).
 */
export interface FakeSettings {
  latencyMs: number;
  /** 0..1: the chance that a call fails with a retryable DriverError 'Unavailable'. */
  failureRate: number;
}

export interface FakeRecord {
  name: string;
  resourceId: string;
  kind: string;
  department: string;
  labels: Record<string, string>;
  spec: Record<string, unknown>;
  phase: string;
}

export const DEFAULT_FAKE_PREFIX = 'govcloud:fake';

export function fakeKeys(prefix: string, poolId: string) {
  const base = `${prefix}:{${poolId}}`; // one hash slot, so the scripts stay valid on a cluster
  return {
    objects: `${base}:objects`,
    phases: `${base}:phases`,
    creates: `${base}:creates`,
    control: `${base}:control`,
  };
}

/** A test's or benchmark's handle on a fake pool: inspect what exists and inject faults. */
export class FakePool {
  private readonly keys: ReturnType<typeof fakeKeys>;

  constructor(
    private readonly redis: Redis,
    readonly poolId: string,
    prefix = DEFAULT_FAKE_PREFIX,
  ) {
    this.keys = fakeKeys(prefix, poolId);
  }

  /** Every call on the pool hangs (in every process) until resume(). */
  async pause(): Promise<void> {
    await this.redis.hset(this.keys.control, 'paused', '1');
  }

  async resume(): Promise<void> {
    await this.redis.hset(this.keys.control, 'paused', '0');
  }

  /** Overrides the settings of the pool's connection for every process. */
  async configure(settings: Partial<FakeSettings>): Promise<void> {
    const fields = Object.entries(settings).flatMap(([key, value]) => [key, String(value)]);
    if (fields.length > 0) await this.redis.hset(this.keys.control, ...fields);
  }

  /**
   * The phase new objects are made in, as a pool reports one still coming up ('pending': an image
   * being pulled) or one that could not ('failed'); 'running' by default.
   */
  async createAs(phase: ObservedPhase): Promise<void> {
    await this.redis.hset(this.keys.control, 'createPhase', phase);
  }

  /** Moves an object to `phase` behind the control plane's back, as the pool itself would. */
  async setPhase(resourceId: string, phase: ObservedPhase): Promise<void> {
    await this.redis.hset(this.keys.phases, objectName(resourceId), phase);
  }

  /** The next `count` calls fail with a retryable error: deterministic faults for tests. */
  async failNext(count: number): Promise<void> {
    await this.redis.hincrby(this.keys.control, 'failNext', count);
  }

  async objects(): Promise<FakeRecord[]> {
    const [objects, phases] = await Promise.all([
      this.redis.hgetall(this.keys.objects),
      this.redis.hgetall(this.keys.phases),
    ]);
    return Object.entries(objects).map(([name, json]) => ({
      ...JSON.parse(json),
      name,
      phase: phases[name],
    }));
  }

  /** How many times an object was created for a resource: 1 after any number of retries, unless it was lost. */
  async createCount(resourceId: string): Promise<number> {
    return Number.parseInt((await this.redis.hget(this.keys.creates, resourceId)) ?? '0', 10);
  }

  /** Deletes an object behind the control plane's back (drift for the reconciler). */
  async remove(name: string): Promise<boolean> {
    const [removed] = await Promise.all([
      this.redis.hdel(this.keys.objects, name),
      this.redis.hdel(this.keys.phases, name),
    ]);
    return removed === 1;
  }

  /** Forgets everything: objects, counters and control settings. */
  async reset(): Promise<void> {
    await this.redis.del(...Object.values(this.keys));
  }
}
