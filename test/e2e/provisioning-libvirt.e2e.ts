import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { objectName } from '../../libs/drivers/index.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { createPool, eventually, GENEROUS, grantQuota, untilState } from '../support/provisioning.js';

// A real domain on the local libvirtd (scripts/setup-libvirt.sh, which npm test runs): QEMU emulation,
// no disk and no OS, so an ACPI shutdown is ignored and stop falls back to destroy after the timeout.
const URI = 'qemu:///system';
const virsh = (...args: string[]) =>
  execFileSync('virsh', ['-c', URI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  }).trim();
const domainState = (name: string) => {
  try {
    return virsh('domstate', name);
  } catch {
    return 'absent';
  }
};

describe('resources on a libvirt pool, through the API and the worker', () => {
  let t: TestApp;
  let token: string;
  let pool: { id: string };

  beforeAll(async () => {
    t = await startApp({ api: true, worker: true });
    const tree = await t.world.city();
    await grantQuota(t, [tree.city, tree.district, tree.dept], GENEROUS);
    token = await t.world.token('dept-admin', tree.dept.id);
    pool = await createPool(t, await t.world.token('operator'), {
      type: 'libvirt',
      tier: 'self-managed',
      connection: JSON.stringify({ uri: URI, domainType: 'qemu', shutdownTimeoutMs: 500 }),
      capacity: { vcpu: 8, memoryGiB: 16, storageGiB: 100 },
    });
  });
  // The database is shared with the suites after this one: a pool left enabled would take their VMs
  // as real domains that nobody deletes (one was found running after a run).
  afterAll(async () => {
    if (t && pool) await t.dataSource.query('UPDATE pools SET enabled = false WHERE id = $1', [pool.id]);
    await t?.close();
  });

  it('request → running as a real domain → stop → start → delete → gone', async () => {
    const res = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(token))
      .send({
        kind: 'vm',
        name: '统计库虚拟机',
        poolId: pool.id,
        spec: { vcpu: 1, memoryGiB: 1, storageGiB: 0, image: 'none' },
      })
      .expect(202);
    const id = res.body.id as string;
    const name = objectName(id);
    try {
      const running = await untilState(t, token, id, 'running', 90_000);
      expect(running.observed).toMatchObject({ name, phase: 'running' });
      expect(domainState(name)).toBe('running');
      expect(virsh('dumpxml', name)).toContain(`<memory unit='KiB'>1048576</memory>`);

      await t.http().post(`/api/v1/resources/${id}/stop`).set(bearer(token)).expect(202);
      await untilState(t, token, id, 'stopped', 90_000);
      expect(domainState(name)).toBe('shut off');

      await t.http().post(`/api/v1/resources/${id}/start`).set(bearer(token)).expect(202);
      await untilState(t, token, id, 'running', 90_000);
      expect(domainState(name)).toBe('running');

      await t.http().delete(`/api/v1/resources/${id}`).set(bearer(token)).expect(202);
      await untilState(t, token, id, 'deleted', 90_000);
      expect(domainState(name)).toBe('absent');
    } finally {
      // Never leave a domain behind on the shared libvirtd, whatever failed.
      if (domainState(name) !== 'absent') {
        try {
          virsh('destroy', name);
        } catch {
          // already off
        }
        await eventually('undefine', async () => (virsh('undefine', name), true)).catch(() => undefined);
      }
    }
  }, 300_000);
});
