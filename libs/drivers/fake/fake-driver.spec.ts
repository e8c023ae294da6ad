import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createDriver, DriverCache } from '../index.js';
import { objectName } from '../naming.js';
import { aResource, driverContract } from '../testing/driver-contract.js';
import type { DriverPool } from '../types.js';
import { FakeDriver, parseFakeConnection } from './fake-driver.js';
import { FakePool, fakeKeys } from './fake-pool.js';

const redisUrl = () => {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests with npm test');
  return url;
};
const prefix = `test-fake-${randomUUID().slice(0, 8)}`;
const aPool = (connection = ''): DriverPool => ({ id: randomUUID(), type: 'fake', connection });

driverContract('fake', 'container', async () => {
  const redis = new Redis(redisUrl());
  const pool = aPool();
  const control = new FakePool(redis, pool.id, prefix);
  const find = async (id: string) => (await control.objects()).filter((o) => o.resourceId === id);
  return {
    driver: createDriver(pool, { redis: redisUrl(), fakeKeyPrefix: prefix }),
    countObjects: async (r) => (await find(r.id)).length,
    specOf: async (r) => (await find(r.id))[0]?.spec as { vcpu: number; memoryGiB: number },
    labelsOf: async (r) => (await find(r.id))[0]?.labels,
    close: async () => {
      await control.reset();
      await redis.quit();
    },
  };
});

describe('fake driver', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  afterAll(() => redis.quit());

  const open = (pool: DriverPool) => new FakeDriver(pool, { redis, keyPrefix: prefix });

  it('shares one pool between drivers (processes) and counts real creations', async () => {
    const pool = aPool();
    const control = new FakePool(redis, pool.id, prefix);
    const [a, b] = [open(pool), open(pool)];
    const r = aResource('vm');
    await Promise.all([a.ensure(r), b.ensure(r), a.ensure(r), b.ensure(r)]);
    expect(await control.createCount(r.id)).toBe(1);
    expect((await b.stop(r)).phase).toBe('stopped');
    expect((await a.list()).map((o) => [o.name, o.phase])).toEqual([[objectName(r.id), 'stopped']]);
    // Lost behind our back, then ensured again: a second creation, which the count shows.
    expect(await control.remove(objectName(r.id))).toBe(true);
    expect(await a.list()).toEqual([]);
    expect((await a.ensure(r)).phase).toBe('running');
    expect(await control.createCount(r.id)).toBe(2);
    // Half-removed (its record left, its phase gone): failed, as list() has it, and not made again.
    await redis.hdel(fakeKeys(prefix, pool.id).phases, objectName(r.id));
    expect((await a.ensure(r)).phase).toBe('failed');
    expect(await control.createCount(r.id)).toBe(2);
    await control.reset();
  });

  it('fails the next N calls with a retryable error, then works', async () => {
    const pool = aPool();
    const control = new FakePool(redis, pool.id, prefix);
    const driver = open(pool);
    await control.failNext(2);
    const r = aResource('container');
    await expect(driver.ensure(r)).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
    await expect(driver.list()).rejects.toMatchObject({ code: 'Unavailable' });
    expect((await driver.ensure(r)).phase).toBe('running');
    await control.reset();
  });

  it('fails at the configured rate, decided by the random source', async () => {
    const pool = aPool('{"failureRate":0.5}');
    const rolls = [0.2, 0.7];
    const driver = new FakeDriver(pool, { redis, keyPrefix: prefix, random: () => rolls.shift() ?? 1 });
    await expect(driver.list()).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(driver.list()).resolves.toEqual([]);
    // The connection's rate is overridden at run time for every process.
    await new FakePool(redis, pool.id, prefix).configure({ failureRate: 0 });
    const zero = new FakeDriver(pool, { redis, keyPrefix: prefix, random: () => 0 });
    await expect(zero.list()).resolves.toEqual([]);
    await new FakePool(redis, pool.id, prefix).reset();
  });

  it('waits the configured latency on every call', async () => {
    const pool = aPool('{"latencyMs":120}');
    const driver = open(pool);
    const started = Date.now();
    await driver.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    // Set at run time, on a pool whose connection has none: ensure (one round trip when nothing is
    // injected) waits it too.
    const quick = aPool();
    const control = new FakePool(redis, quick.id, prefix);
    await control.configure({ latencyMs: 120 });
    const before = Date.now();
    await open(quick).ensure(aResource('vm'));
    expect(Date.now() - before).toBeGreaterThanOrEqual(115);
    await control.reset();
  });

  it('hangs every call while paused and carries on after resume', async () => {
    const pool = aPool();
    const control = new FakePool(redis, pool.id, prefix);
    const driver = open(pool);
    const r = aResource('vm');
    await control.pause();
    let settled = false;
    const call = driver.ensure(r).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    expect(await control.objects()).toEqual([]);
    await control.resume();
    expect((await call).phase).toBe('running');
    expect(await control.createCount(r.id)).toBe(1);
    // A driver closed while paused gives up instead of hanging its process's shutdown.
    await control.pause();
    const hung = driver.list();
    await driver.close();
    await expect(hung).rejects.toMatchObject({ code: 'Unavailable' });
    await control.reset();
  });

  it('refuses a malformed connection and a fake pool without Redis', () => {
    expect(parseFakeConnection('')).toEqual({ latencyMs: 0, failureRate: 0 });
    expect(() => parseFakeConnection('{"failureRate":2}')).toThrow(/failureRate/);
    expect(() => parseFakeConnection('latency=5')).toThrow(/JSON/);
    expect(() => createDriver(aPool())).toThrow(/Redis/);
  });

  it('DriverCache keeps one driver per pool and replaces it when the connection changes', async () => {
    const cache = new DriverCache({ redis, fakeKeyPrefix: prefix });
    const pool = aPool();
    const first = cache.get(pool);
    expect(cache.get({ ...pool })).toBe(first);
    const changed = cache.get({ ...pool, connection: '{"latencyMs":1}' });
    expect(changed).not.toBe(first);
    await cache.closeAll();
    await expect(changed.list()).rejects.toMatchObject({ code: 'Unavailable' });
  });
});
