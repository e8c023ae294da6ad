import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDriver } from '../index.js';
import { LABEL_RESOURCE_ID, objectName } from '../naming.js';
import { aResource, driverContract } from '../testing/driver-contract.js';
import type { DriverResource } from '../types.js';
import { domainXml, readDomainXml, volumeName } from './domain-xml.js';
import { LibvirtDriver, parseLibvirtConnection } from './libvirt-driver.js';

// Real domains on the local libvirtd (scripts/setup-libvirt.sh): 64 MiB, QEMU emulation, no OS, so an
// ACPI shutdown is ignored and stop falls back to destroy after its (here short) timeout.
const URI = 'qemu:///system';
const SMALL = { vcpu: 1, memoryGiB: 0.0625, storageGiB: 0, image: 'none' };
const connection = (extra: object = {}) =>
  JSON.stringify({ uri: URI, domainType: 'qemu', shutdownTimeoutMs: 500, ...extra });
const virsh = (...args: string[]) =>
  execFileSync('virsh', ['-c', URI, ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
const domains = () =>
  virsh('list', '--all', '--name')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
const facts = (r: DriverResource) => readDomainXml(virsh('dumpxml', '--inactive', objectName(r.id)));
const qemuRunning = (r: DriverResource) => {
  try {
    return execFileSync('pgrep', ['-f', `guest=${objectName(r.id)}`], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
};

driverContract(
  'libvirt on a real libvirtd',
  'vm',
  async () => ({
    driver: createDriver({ id: randomUUID(), type: 'libvirt', connection: connection() }),
    countObjects: async (r) => domains().filter((name) => name === objectName(r.id)).length,
    specOf: async (r) => {
      if (!domains().includes(objectName(r.id))) return undefined;
      const f = facts(r);
      return { vcpu: f.vcpu!, memoryGiB: f.memoryMiB! / 1024 };
    },
    labelsOf: async (r) => facts(r).labels,
  }),
  SMALL,
);

describe('libvirt driver', () => {
  const made: DriverResource[] = [];
  const aVm = (spec: Partial<DriverResource['spec']> = {}) => {
    const r = aResource('vm', { spec: { ...SMALL, ...spec } });
    made.push(r);
    return r;
  };
  let driver: LibvirtDriver;
  beforeAll(() => {
    driver = new LibvirtDriver({ id: randomUUID(), type: 'libvirt', connection: connection() });
  });
  afterAll(async () => {
    for (const r of made) await driver.delete(r).catch(() => undefined);
  });

  it('runs a real QEMU process for a running domain, and none after stop (shutdown, then destroy)', async () => {
    const r = aVm();
    expect((await driver.ensure(r)).phase).toBe('running');
    expect(qemuRunning(r)).toBe(true);
    const xml = virsh('dumpxml', '--inactive', objectName(r.id));
    expect(xml).toContain("<domain type='qemu'>");
    expect(xml).toContain(`<uuid>${r.id}</uuid>`);
    expect(facts(r)).toMatchObject({ memoryMiB: 64, vcpu: 1, power: 'running', disks: 0 });
    expect(facts(r).labels).toMatchObject({ [LABEL_RESOURCE_ID]: r.id });
    expect((await driver.stop(r)).phase).toBe('stopped');
    expect(virsh('domstate', objectName(r.id)).trim()).toBe('shut off');
    expect(qemuRunning(r)).toBe(false);
    await driver.delete(r);
    expect(domains()).not.toContain(objectName(r.id));
  });

  it('finishes the work of a worker that died between define and start', async () => {
    const r = aVm();
    const dir = mkdtempSync(path.join(tmpdir(), 'gc-test-'));
    writeFileSync(path.join(dir, 'd.xml'), domainXml(r, { type: 'qemu' }, 'running'));
    virsh('define', path.join(dir, 'd.xml'));
    rmSync(dir, { recursive: true });
    expect(virsh('domstate', objectName(r.id)).trim()).toBe('shut off');
    expect((await driver.ensure(r)).phase).toBe('running');
    expect(qemuRunning(r)).toBe(true);
  });

  // qcow2 is made by qemu-img (qemu-utils, which scripts/setup-system.sh installs).
  it.each(['qcow2', 'raw'] as const)(
    'gives each resource a %s volume in the storage pool, removed on delete',
    async (format) => {
      const poolName = `gc-test-${randomUUID().slice(0, 8)}`;
      const dir = mkdtempSync(path.join(tmpdir(), 'gc-pool-'));
      virsh('pool-create-as', poolName, 'dir', '--target', dir);
      try {
        const withDisk = new LibvirtDriver({
          id: randomUUID(),
          type: 'libvirt',
          connection: connection({ storagePool: poolName, volumeFormat: format }),
        });
        const r = aVm({ storageGiB: 1 });
        expect((await withDisk.ensure(r)).phase).toBe('running');
        expect(virsh('vol-list', poolName)).toContain(volumeName(r.id, format));
        expect(virsh('vol-dumpxml', '--pool', poolName, volumeName(r.id, format))).toContain(
          `<format type='${format}'/>`,
        );
        expect(facts(r).disks).toBe(1);
        expect(qemuRunning(r)).toBe(true);
        await withDisk.ensure(r); // the volume exists: no error
        // A larger disk reaches the volume while the domain is off (a running guest's at its next boot).
        const capacity = () =>
          Number(
            /^Capacity:\s+(\d+)/m.exec(
              virsh('vol-info', '--bytes', '--pool', poolName, volumeName(r.id, format)),
            )![1],
          );
        const grown = { ...r, spec: { ...r.spec, storageGiB: 2 } };
        await withDisk.ensure(grown);
        expect(capacity()).toBe(2 ** 30);
        await withDisk.stop(grown);
        await withDisk.ensure(grown);
        expect(capacity()).toBe(2 * 2 ** 30);
        await withDisk.delete(r);
        expect(virsh('vol-list', poolName)).not.toContain(volumeName(r.id, format));
        expect(domains()).not.toContain(objectName(r.id));
      } finally {
        virsh('pool-destroy', poolName);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('lists only domains it made: gc-* names with its title', async () => {
    const foreign = `gc-${randomUUID()}`;
    const dir = mkdtempSync(path.join(tmpdir(), 'gc-test-'));
    const xml = domainXml(aVm(), { type: 'qemu' }, 'stopped')
      .replace(/<name>[^<]+<\/name>/, `<name>${foreign}</name>`)
      .replace(/<uuid>[^<]+<\/uuid>/, `<uuid>${randomUUID()}</uuid>`)
      .replace(/<title>[^<]+<\/title>/, '<title>someone else</title>');
    writeFileSync(path.join(dir, 'd.xml'), xml);
    virsh('define', path.join(dir, 'd.xml'));
    rmSync(dir, { recursive: true });
    try {
      const mine = aVm();
      await driver.ensure(mine);
      const listed = await driver.list();
      expect(listed.find((o) => o.resourceId === mine.id)).toMatchObject({
        phase: 'running',
        department: 'contract-dept',
      });
      expect(listed.some((o) => o.name === foreign)).toBe(false);
    } finally {
      virsh('undefine', foreign);
    }
  });

  it('refuses bad connections and containers; an unreachable libvirtd is retryable', async () => {
    expect(() => parseLibvirtConnection('not a uri')).toThrow(/URI/);
    expect(() => parseLibvirtConnection('{"uri": "qemu:///system", "domainType": "xen"}')).toThrow(
      /domainType/,
    );
    // Nothing in the URI may make the worker run a program of its choosing.
    expect(() => parseLibvirtConnection('qemu+ext:///system?command=/tmp/x.sh')).toThrow(
      /uri must use one of/,
    );
    expect(() => parseLibvirtConnection('qemu+ssh://kvm-01/system?command=/tmp/x.sh')).toThrow(
      /uri must not name a local program/,
    );
    expect(() => parseLibvirtConnection('xen:///system')).toThrow(/uri must use one of/);
    expect(parseLibvirtConnection('qemu+ssh://ops@kvm-01/system')).toEqual({
      uri: 'qemu+ssh://ops@kvm-01/system',
    });
    await expect(driver.ensure(aResource('container'))).rejects.toMatchObject({ code: 'Invalid' });
    const nowhere = new LibvirtDriver({
      id: 'x',
      type: 'libvirt',
      connection: 'qemu+unix:///system?socket=/nonexistent/sock',
    });
    await expect(nowhere.list()).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
  });
});
