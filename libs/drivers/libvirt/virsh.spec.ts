import { describe, expect, it } from '@jest/globals';
import { domainUuid, readDomainXml, domainXml } from './domain-xml.js';
import { classify } from './virsh.js';
import { aResource } from '../testing/driver-contract.js';

describe('virsh answers and domain XML', () => {
  it('classifies what libvirt 9 says (C locale)', () => {
    expect(classify("error: failed to get domain 'gc-x'")).toBe('NotFound');
    expect(classify('error: Domain is already active')).toBe('AlreadyRunning');
    expect(classify('error: Requested operation is not valid: domain is not running')).toBe('NotRunning');
    expect(classify("error: storage volume 'gc-x.img' exists already")).toBe('AlreadyExists');
    expect(classify('error: failed to connect to the hypervisor')).toBe('Unavailable');
    expect(classify('error: something new')).toBe('Other');
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
