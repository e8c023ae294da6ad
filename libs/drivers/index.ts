import { Redis } from 'ioredis';
import { DriverError } from './errors.js';
import { FakeDriver } from './fake/fake-driver.js';
import type { KubeOptions } from './kubernetes/kube-client.js';
import { KubernetesDriver } from './kubernetes/kubernetes-driver.js';
import { KubevirtDriver } from './kubevirt/kubevirt-driver.js';
import { LibvirtDriver } from './libvirt/libvirt-driver.js';
import type { DriverPool, ResourceDriver } from './types.js';

export * from './errors.js';
export * from './naming.js';
export * from './types.js';
export { FakeDriver, parseFakeConnection } from './fake/fake-driver.js';
export { FakePool, type FakeRecord, type FakeSettings } from './fake/fake-pool.js';
export { KubernetesDriver } from './kubernetes/kubernetes-driver.js';
export { KubevirtDriver } from './kubevirt/kubevirt-driver.js';
export { LibvirtDriver, parseLibvirtConnection, type LibvirtConnection } from './libvirt/libvirt-driver.js';
export type { KubeOptions } from './kubernetes/kube-client.js';
export { DEFAULT_KUBE_RATE_LIMIT, type RateLimit } from './kubernetes/rate-limiter.js';

/** What drivers need besides the pool itself; the process's config supplies it. */
export interface DriverOptions {
  /** Where fake pools keep their state: a URL (the driver owns the connection) or a shared client. */
  redis?: Redis | string;
  /** Prefix of the fake pools' Redis keys. */
  fakeKeyPrefix?: string;
  /** Kubernetes and KubeVirt pools: client-side rate limit per API server, request timeout, page size. */
  kube?: KubeOptions;
}

/** One driver for one pool. Callers should keep it per pool (see DriverCache) and close it at the end. */
export function createDriver(pool: DriverPool, options: DriverOptions = {}): ResourceDriver {
  switch (pool.type) {
    case 'fake':
      if (!options.redis) throw new DriverError('Misconfigured', 'fake pools need a Redis connection');
      return new FakeDriver(pool, { redis: options.redis, keyPrefix: options.fakeKeyPrefix });
    case 'kubernetes':
      return new KubernetesDriver(pool, options.kube);
    case 'kubevirt':
      return new KubevirtDriver(pool, options.kube);
    case 'libvirt':
      return new LibvirtDriver(pool);
  }
}

/**
 * Drivers per pool for a long-running process: one per pool id and connection, so a worker does
 * not open a connection per job, and a changed connection gets a fresh driver.
 */
export class DriverCache {
  private readonly drivers = new Map<string, { connection: string; driver: ResourceDriver }>();

  constructor(private readonly options: DriverOptions = {}) {}

  get(pool: DriverPool): ResourceDriver {
    const cached = this.drivers.get(pool.id);
    if (cached && cached.connection === pool.connection && cached.driver.type === pool.type) {
      return cached.driver;
    }
    // Made before the old one is closed: when the new connection is unusable (createDriver throws), the
    // old driver stays open in the cache, so a connection mended back to it is served again.
    const driver = createDriver(pool, this.options);
    if (cached) void cached.driver.close();
    this.drivers.set(pool.id, { connection: pool.connection, driver });
    return driver;
  }

  async closeAll(): Promise<void> {
    const drivers = [...this.drivers.values()].map((entry) => entry.driver);
    this.drivers.clear();
    await Promise.all(drivers.map((driver) => driver.close()));
  }
}
