import {
  DriverError,
  isDriverError,
  type DepartmentQuota,
  type DriverResource,
  type ObservedObject,
  type ResourceDriver,
} from '../../../../libs/drivers/index.js';
import type { Department } from '../../tenancy/entities/department.entity.js';
import type { Pool } from '../entities/pool.entity.js';
import type { Resource } from '../entities/resource.entity.js';

/**
 * What driving a resource and recording its moves need (the Provisioner's LOAD): its wanted and current
 * states, its spec and labels, its pool's sealed connection, its department's code, and when it was read
 * (the database's clock): its driver calls begin then.
 */
export type Loaded = Pick<
  Resource,
  | 'id'
  | 'departmentId'
  | 'poolId'
  | 'kind'
  | 'spec'
  | 'specVersion'
  | 'appliedSpecVersion'
  | 'labels'
  | 'state'
  | 'desiredState'
> & {
  pool: Pick<Pool, 'id' | 'type' | 'connectionSealed'>;
  /** With what it may use itself, which Kubernetes pools mirror in its namespace's ResourceQuota. */
  department: Pick<Department, 'id' | 'code'> & { quota: DepartmentQuota | null };
  loadedAt: Date;
};

/** What the driver calls for one resource came to. */
export type Driven =
  { resource: Loaded; observed: ObservedObject } | { resource: Loaded; removed: true } | Failure;

export interface Failure {
  resource: Loaded;
  error: unknown;
  /** Its pool's driver could not be made: the resource never reached provisioning. */
  undriven?: true;
  /** The pool made the object and reports it failed: so it is, whatever state the resource is in. */
  objectFailed?: true;
}

/** Drives each resource, each driver's at most its parallelism at once. */
export async function driveAll(
  drivable: Array<{ resource: Loaded; driver: ResourceDriver }>,
): Promise<Driven[]> {
  const byDriver = new Map<ResourceDriver, Loaded[]>();
  for (const { resource, driver } of drivable)
    byDriver.set(driver, [...(byDriver.get(driver) ?? []), resource]);
  const driven = await Promise.all(
    [...byDriver].map(([driver, resources]) =>
      eachLimited(resources, driver.parallelism, (resource) => drive(resource, driver)),
    ),
  );
  return driven.flat();
}

/** Runs `task` on every item with at most `limit` at once; answers the results in the items' order. */
async function eachLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i]);
      }
    }),
  );
  return results;
}

/** The driver calls that bring one resource where its owner wants it; never throws. */
async function drive(r: Loaded, driver: ResourceDriver): Promise<Driven> {
  const target: DriverResource = {
    id: r.id,
    kind: r.kind,
    department: { id: r.department.id, code: r.department.code, quota: r.department.quota ?? undefined },
    spec: r.spec,
    labels: r.labels,
  };
  try {
    switch (r.desiredState) {
      case 'deleted':
        await driver.delete(target);
        return { resource: r, removed: true };
      case 'running': {
        const ensured = await driver.ensure(target);
        const observed = ensured.phase === 'stopped' ? await driver.start(target) : ensured;
        // The pool made the object but could not bring it up (a rollout past its deadline, a crashed
        // domain): a retry of the same calls would find the same, so it fails now, with what the pool said.
        if (observed.phase === 'failed') {
          const why = `${observed.name}: ${observed.detail ?? 'failed'}`;
          return {
            resource: r,
            error: new DriverError('Failed', why, { retryable: false }),
            objectFailed: true,
          };
        }
        return { resource: r, observed };
      }
      case 'stopped':
        return { resource: r, observed: await powerOff(driver, target) };
    }
  } catch (error) {
    return { resource: r, error };
  }
}

/** Stops the object; a missing one is made again (as the spec says) and then stopped. */
async function powerOff(driver: ResourceDriver, target: DriverResource): Promise<ObservedObject> {
  try {
    return await driver.stop(target);
  } catch (error) {
    if (!isDriverError(error) || error.code !== 'NotFound') throw error;
    await driver.ensure(target);
    return driver.stop(target);
  }
}

export function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const text = isDriverError(error) ? `${error.code}: ${message}` : message;
  return text.slice(0, 2000);
}
