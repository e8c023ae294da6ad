import { describe, expect, it } from '@jest/globals';
import { domainUuid, readDomainXml, domainXml } from './domain-xml.js';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { classify, virsh } from './virsh.js';
import { aResource } from '../testing/driver-contract.js';

describe('virsh answers and domain XML', () => {
  it('classifies what libvirt 9 says (C locale)', () => {
    expect(classify("error: failed to get domain 'gc-x'")).toBe('NotFound');
    expect(classify('error: Domain is already active')).toBe('AlreadyRunning');
    expect(classify('error: Requested operation is not valid: domain is not running')).toBe('NotRunning');
    expect(classify("error: storage volume 'gc-x.img' exists already")).toBe('AlreadyExists');
    expect(classify('error: failed to connect to the hypervisor')).toBe('Unavailable');
    expect(classify('error: something new')).toBe('Other');
    // A connection lost at the lookup: virsh names the lookup's failure too, but the domain may well exist.
    expect(
      classify(
        "error: Disconnected from qemu+ssh://kvm-01/system due to end of file\nerror: failed to get domain 'gc-x'\nerror: End of file while reading data: Input/output error",
      ),
    ).toBe('Unavailable');
    expect(
      classify(
        "error: failed to get domain 'gc-x'\nerror: Domain not found: no domain with matching name 'gc-x'",
      ),
    ).toBe('NotFound');
    expect(
      classify("error: failed to get domain 'gc-x'\nerror: internal error: client socket is closed"),
    ).toBe('Unavailable');
    expect(classify('error: internal error: connection closed due to keepalive timeout')).toBe('Unavailable');
    // A host short of memory is worth a retry; an XML mistake is not.
    expect(
      classify('error: internal error: qemu unexpectedly closed the monitor: Cannot allocate memory'),
    ).toBe('Other');
    expect(classify('error: XML error: Expected a single <os> element')).toBe('Invalid');
    expect(classify('error: invalid character in attribute value')).toBe('Invalid');
  });

  it('ends the transport virsh started when a call times out, and passes it none of the worker’s secrets', async () => {
    // A stand-in virsh that starts a child (as it starts ssh for qemu+ssh://) and hangs on it.
    const dir = mkdtempSync(path.join(tmpdir(), 'fake-virsh-'));
    const pidFile = path.join(dir, 'transport.pid');
    writeFileSync(
      path.join(dir, 'virsh'),
      `#!/bin/sh\nenv > ${dir}/env\nsleep 600 &\necho $! > ${pidFile}\nwait\n`,
    );
    chmodSync(path.join(dir, 'virsh'), 0o755);
    const saved = { PATH: process.env.PATH, SECRET_KEY: process.env.SECRET_KEY };
    process.env.PATH = `${dir}:${saved.PATH}`;
    process.env.SECRET_KEY = 'not-for-virsh';
    try {
      await expect(virsh('qemu+ssh://kvm-01/system', ['list'], 500)).rejects.toMatchObject({
        failure: 'Unavailable',
        message: expect.stringContaining('timed out after 500 ms'),
      });
      const transport = Number(readFileSync(pidFile, 'utf8'));
      // Killed with its group (a zombie until whoever inherits it reaps it counts as ended).
      for (let i = 0; i < 50 && alive(transport); i++) await new Promise((r) => setTimeout(r, 20));
      expect(alive(transport)).toBe(false);
      const env = readFileSync(path.join(dir, 'env'), 'utf8');
      expect(env).toContain('LC_ALL=C');
      expect(env).not.toContain('SECRET_KEY');
    } finally {
      Object.assign(process.env, saved);
      if (saved.SECRET_KEY === undefined) delete process.env.SECRET_KEY;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('derives a stable UUID when the resource id is not one', () => {
    expect(domainUuid('4F1C1B7E-93A0-4C1B-9F00-0A1B2C3D4E5F')).toBe('4f1c1b7e-93a0-4c1b-9f00-0a1b2c3d4e5f');
    expect(domainUuid('legacy-42')).toBe(domainUuid('legacy-42'));
    expect(domainUuid('legacy-42')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('reads its own XML back, labels with awkward characters included', () => {
    const r = aResource('vm', { labels: { note: `a "quoted" <value> & 'more'` } });
    const facts = readDomainXml(domainXml(r, { type: 'kvm' }, 'stopped'));
    expect(facts).toMatchObject({ id: r.id, power: 'stopped', vcpu: 1, memoryMiB: 1024, disks: 0 });
    expect(facts.labels?.note).toBe(`a "quoted" <value> & 'more'`);
  });
});

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
