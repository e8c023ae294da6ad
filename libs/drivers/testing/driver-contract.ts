import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DriverError } from '../errors.js';
import { LABEL_DEPARTMENT, LABEL_RESOURCE_ID, objectName } from '../naming.js';
import type { DriverResource, ResourceDriver, ResourceKind } from '../types.js';

export interface ContractSubject {
  driver: ResourceDriver;
  /** What the driver's pool holds for a resource, seen without the driver (for double-creation checks). */
  countObjects(r: DriverResource): Promise<number>;
  /** The vcpu, memory and (containers) replicas the pool's object has, seen without the driver. */
  specOf(r: DriverResource): Promise<{ vcpu: number; memoryGiB: number; replicas?: number } | undefined>;
  /** The labels on the pool's object, seen without the driver, where the pool has labels. */
  labelsOf?(r: DriverResource): Promise<Record<string, string> | undefined>;
  close?(): Promise<void>;
}

export function aResource(kind: ResourceKind, overrides: Partial<DriverResource> = {}): DriverResource {
  return {
    id: randomUUID(),
    kind,
    department: { id: randomUUID(), code: 'contract-dept' },
    spec: { vcpu: 1, memoryGiB: 1, storageGiB: 0, image: 'nginx:1.27', replicas: 1, ports: [80] },
    labels: { 'govcloud.io/system': 'contract' },
    ...overrides,
  };
}

/**
 * The idempotency contract written on ResourceDriver, run by every driver against its own pool
 * (a fake API server, a real libvirtd, Redis). `kind` is the resource kind the driver serves.
 */
export function driverContract(
  title: string,
  kind: ResourceKind,
  setup: () => Promise<ContractSubject>,
  /** A smaller spec where every object is real (libvirt: 64 MiB domains). */
  spec?: DriverResource['spec'],
) {
  describe(`${title}: ResourceDriver contract`, () => {
    let subject: ContractSubject;
    let driver: ResourceDriver;
    const made: DriverResource[] = [];
    const resource = (overrides: Partial<DriverResource> = {}) => {
      const r = aResource(kind, { ...(spec ? { spec } : {}), ...overrides });
      made.push(r);
      return r;
    };

    beforeAll(async () => {
      subject = await setup();
      driver = subject.driver;
    });
    afterAll(async () => {
      for (const r of made) await driver.delete(r).catch(() => undefined);
      await subject.close?.();
      await driver.close();
    });

    it('ensure creates the object once, named gc-<id>, and a second ensure finds it', async () => {
      const r = resource();
      const first = await driver.ensure(r);
      expect(first).toMatchObject({ name: objectName(r.id), resourceId: r.id });
      expect(['running', 'pending']).toContain(first.phase);
      const again = await driver.ensure(r);
      expect(again.name).toBe(first.name);
      expect(await subject.countObjects(r)).toBe(1);
    });

    it('concurrent ensures of one resource leave exactly one object', async () => {
      const r = resource();
      const results = await Promise.allSettled([driver.ensure(r), driver.ensure(r), driver.ensure(r)]);
      // A loser of the race may see a retryable Conflict; it must never be anything else.
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(DriverError);
          expect((result.reason as DriverError).retryable).toBe(true);
        }
      }
      await driver.ensure(r);
      expect(await subject.countObjects(r)).toBe(1);
      const listed = (await driver.list()).filter((o) => o.resourceId === r.id);
      expect(listed).toHaveLength(1);
    });

    it('stop and start change the power state, and repeating either is harmless', async () => {
      const r = resource();
      await driver.ensure(r);
      expect((await driver.stop(r)).phase).toBe('stopped');
      expect((await driver.stop(r)).phase).toBe('stopped');
      // ensure keeps a stopped object stopped: it never changes the power state of what exists.
      expect((await driver.ensure(r)).phase).toBe('stopped');
      expect(['running', 'pending']).toContain((await driver.start(r)).phase);
      expect(['running', 'pending']).toContain((await driver.start(r)).phase);
      const listed = (await driver.list()).find((o) => o.resourceId === r.id);
      expect(['running', 'pending']).toContain(listed?.phase);
    });

    it('start or stop of a missing object is a NotFound that is not retryable', async () => {
      const r = aResource(kind);
      const error = await driver.stop(r).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DriverError);
      expect(error).toMatchObject({ code: 'NotFound', retryable: false });
      await expect(driver.start(r)).rejects.toMatchObject({ code: 'NotFound' });
    });

    it('delete removes the object, and deleting what is absent succeeds', async () => {
      const r = resource();
      await driver.ensure(r);
      await driver.delete(r);
      expect((await driver.list()).some((o) => o.resourceId === r.id)).toBe(false);
      await driver.delete(r);
      await driver.delete(aResource(kind));
      expect(await subject.countObjects(r)).toBe(0);
    });

    it('list answers our objects with their department, and labels carry resource id and department', async () => {
      const department = { id: randomUUID(), code: 'contract-list' };
      const a = resource({ department });
      const b = resource({ department });
      await Promise.all([driver.ensure(a), driver.ensure(b)]);
      await driver.stop(b);
      const listed = await driver.list();
      const mine = listed.filter((o) => o.resourceId === a.id || o.resourceId === b.id);
      expect(mine).toHaveLength(2);
      expect(mine.find((o) => o.resourceId === b.id)).toMatchObject({
        name: objectName(b.id),
        phase: 'stopped',
        department: 'contract-list',
      });
      if (subject.labelsOf) {
        expect(await subject.labelsOf(a)).toMatchObject({
          [LABEL_RESOURCE_ID]: a.id,
          [LABEL_DEPARTMENT]: 'contract-list',
          'govcloud.io/system': 'contract',
        });
      }
    });

    it('ensure applies a changed spec to the existing object', async () => {
      const r = resource();
      await driver.ensure(r);
      const { vcpu, memoryGiB } = r.spec;
      expect(await subject.specOf(r)).toMatchObject({ vcpu, memoryGiB });
      const resized = { ...r, spec: { ...r.spec, vcpu: vcpu * 2, memoryGiB: memoryGiB * 2, replicas: 2 } };
      const observed = await driver.ensure(resized);
      expect(observed.name).toBe(objectName(r.id));
      expect(await subject.countObjects(r)).toBe(1);
      const expected =
        kind === 'container'
          ? { vcpu: vcpu * 2, memoryGiB: memoryGiB * 2, replicas: 2 }
          : { vcpu: vcpu * 2, memoryGiB: memoryGiB * 2 };
      expect(await subject.specOf(r)).toMatchObject(expected);
    });
  });
}
