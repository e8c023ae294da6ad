import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '../errors.js';
import { departmentLabel, objectName, resourceLabels } from '../naming.js';
import type { DriverPool, DriverResource, ObservedObject, ObservedPhase, ResourceDriver } from '../types.js';
import { DEFAULT_FAKE_PREFIX, fakeKeys, type FakeSettings } from './fake-pool.js';

export interface FakeDriverOptions {
  /** A Redis URL (the driver owns the connection) or a client the caller owns and closes. */
  redis: Redis | string;
  keyPrefix?: string;
  /** For tests of the failure rate. */
  random?: () => number;
}

const PAUSE_POLL_MS = 50;

// Each script runs atomically in Redis, so concurrent workers never both create an object.
const GATE = `
local c = redis.call('HMGET', KEYS[1], 'paused', 'latencyMs', 'failureRate', 'failNext')
local fail = 0
if c[1] ~= '1' and tonumber(c[4] or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'failNext', -1)
  fail = 1
end
return {c[1] or '0', c[2] or '', c[3] or '', fail}`;

// With ARGV[4] = '1', only when the pool has nothing to inject (not paused, no latency, no failures):
// otherwise it answers nil, doing nothing, and the caller passes the gate first. An object without a
// phase was half-removed behind our back: 'failed', as list() reports it.
const ENSURE = `
if ARGV[4] == '1' then
  local c = redis.call('HMGET', KEYS[4], 'paused', 'latencyMs', 'failureRate', 'failNext')
  if c[1] == '1' or tonumber(c[2] or '0') ~= 0 or tonumber(c[3] or '0') ~= 0 or tonumber(c[4] or '0') > 0 then
    return false
  end
end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[1], redis.call('HGET', KEYS[4], 'createPhase') or 'running')
  redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return redis.call('HGET', KEYS[2], ARGV[1]) or 'failed'`;

const POWER = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return false end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return ARGV[2]`;

/** The scripts as commands: ioredis sends each by its SHA (EVALSHA), not its text on every call. */
interface FakeScripts {
  fakeGate(control: string): Promise<[string, string, string, number]>;
  fakeEnsure(
    objects: string,
    phases: string,
    creates: string,
    control: string,
    name: string,
    record: string,
    resourceId: string,
    ungated: '0' | '1',
  ): Promise<ObservedPhase | null>;
  fakePower(objects: string, phases: string, name: string, phase: string): Promise<string | null>;
}

function withScripts(redis: Redis): Redis & FakeScripts {
  redis.defineCommand('fakeGate', { numberOfKeys: 1, lua: GATE });
  redis.defineCommand('fakeEnsure', { numberOfKeys: 4, lua: ENSURE });
  redis.defineCommand('fakePower', { numberOfKeys: 2, lua: POWER });
  return redis as Redis & FakeScripts;
}

/** Parses a fake pool's connection: '' or JSON {"latencyMs": 0, "failureRate": 0}. */
export function parseFakeConnection(connection: string): FakeSettings {
  const refused = () =>
    new DriverError('Misconfigured', 'fake pool connection must be JSON {"latencyMs","failureRate"}');
  let raw: Record<string, unknown> = {};
  if (connection.trim() !== '') {
    try {
      raw = JSON.parse(connection);
    } catch {
      throw refused();
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw refused();
  }
  const latencyMs = raw.latencyMs ?? 0;
  const failureRate = raw.failureRate ?? 0;
  if (typeof latencyMs !== 'number' || !(latencyMs >= 0)) {
    throw new DriverError('Misconfigured', 'fake pool connection: latencyMs must be a number ≥ 0', {
      field: 'latencyMs',
    });
  }
  if (typeof failureRate !== 'number' || !(failureRate >= 0 && failureRate <= 1)) {
    throw new DriverError('Misconfigured', 'fake pool connection: failureRate must be between 0 and 1', {
      field: 'failureRate',
    });
  }
  return { latencyMs, failureRate };
}

/** The fake pool driver: objects in Redis, with latency, failures and pause for tests and benchmarks. */
export class FakeDriver implements ResourceDriver {
  readonly type = 'fake' as const;
  // Redis takes every call of a job at once: made in one tick, they go out in one pipelined write.
  readonly parallelism = 128;
  private readonly redis: Redis & FakeScripts;
  private readonly ownsRedis: boolean;
  private readonly keys: ReturnType<typeof fakeKeys>;
  private readonly settings: FakeSettings;
  private readonly random: () => number;
  private closed = false;

  constructor(pool: DriverPool, options: FakeDriverOptions) {
    this.settings = parseFakeConnection(pool.connection);
    this.ownsRedis = typeof options.redis === 'string';
    this.redis = withScripts(
      typeof options.redis === 'string' ? ownConnection(options.redis) : options.redis,
    );
    this.keys = fakeKeys(options.keyPrefix ?? DEFAULT_FAKE_PREFIX, pool.id);
    this.random = options.random ?? Math.random;
  }

  async ensure(r: DriverResource): Promise<ObservedObject> {
    const name = objectName(r.id);
    const record = JSON.stringify({
      resourceId: r.id,
      kind: r.kind,
      department: departmentLabel(r.department),
      labels: resourceLabels(r),
      spec: r.spec,
    });
    const call = (ungated: '0' | '1') =>
      this.redis.fakeEnsure(
        this.keys.objects,
        this.keys.phases,
        this.keys.creates,
        this.keys.control,
        name,
        record,
        r.id,
        ungated,
      );
    // One round trip, like one API call, when the pool injects nothing: a benchmark's pool costs no
    // more than a real one's call.
    let phase = this.quiet() ? await call('1') : null;
    if (phase === null) {
      await this.gate();
      phase = (await call('0'))!;
    }
    return { name, resourceId: r.id, phase, department: departmentLabel(r.department) };
  }

  start(r: DriverResource): Promise<ObservedObject> {
    return this.power(r, 'running');
  }

  stop(r: DriverResource): Promise<ObservedObject> {
    return this.power(r, 'stopped');
  }

  async delete(r: DriverResource): Promise<void> {
    await this.gate();
    const name = objectName(r.id);
    await this.redis.multi().hdel(this.keys.objects, name).hdel(this.keys.phases, name).exec();
  }

  async list(): Promise<ObservedObject[]> {
    await this.gate();
    const result = await this.redis.multi().hgetall(this.keys.objects).hgetall(this.keys.phases).exec();
    const [objects, phases] = (result ?? []).map(([, value]) => value as Record<string, string>);
    return Object.entries(objects ?? {}).map(([name, json]) => {
      const record = JSON.parse(json) as { resourceId: string; department: string };
      return {
        name,
        resourceId: record.resourceId,
        department: record.department,
        // A record without a phase was half-removed behind our back: report it as failed.
        phase: (phases?.[name] as ObservedPhase | undefined) ?? 'failed',
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.ownsRedis) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async power(r: DriverResource, phase: 'running' | 'stopped'): Promise<ObservedObject> {
    await this.gate();
    const name = objectName(r.id);
    const result = await this.redis.fakePower(this.keys.objects, this.keys.phases, name, phase);
    if (result === null) throw new DriverError('NotFound', `fake pool: ${name} does not exist`);
    return { name, resourceId: r.id, phase, department: departmentLabel(r.department) };
  }

  /** Open, and its connection injects nothing (the pool's control may still: see ENSURE). */
  private quiet(): boolean {
    if (this.closed) throw new DriverError('Unavailable', 'fake pool: driver closed');
    return this.settings.latencyMs === 0 && this.settings.failureRate === 0;
  }

  /** Waits while the pool is paused, sleeps the latency, then fails as configured. */
  private async gate(): Promise<void> {
    for (;;) {
      if (this.closed) throw new DriverError('Unavailable', 'fake pool: driver closed');
      const [paused, latency, rate, failNow] = await this.redis.fakeGate(this.keys.control);
      if (paused === '1') {
        await sleep(PAUSE_POLL_MS);
        continue;
      }
      const latencyMs = latency === '' ? this.settings.latencyMs : Number(latency);
      const failureRate = rate === '' ? this.settings.failureRate : Number(rate);
      if (latencyMs > 0) await sleep(latencyMs);
      if (failNow === 1 || (failureRate > 0 && this.random() < failureRate)) {
        throw new DriverError('Unavailable', 'fake pool: injected failure');
      }
      return;
    }
  }
}

function ownConnection(url: string): Redis {
  // Calls made in the same tick (a job drives several resources at once) go out in one write.
  const redis = new Redis(url, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  // While its Redis is away each call fails with the reason, as a real pool's API would; the connection's
  // own error on every reconnect attempt would only repeat that, printed unstructured by ioredis.
  redis.on('error', () => undefined);
  return redis;
}
