import { createHash } from 'node:crypto';
import { departmentLabel, objectName, resourceLabels } from '../naming.js';
import type { DriverResource } from '../types.js';

export const METADATA_NS = 'https://govcloud.io/xmlns/libvirt/1';
export const TITLE_PREFIX = 'govcloud department=';

export type DomainType = 'kvm' | 'qemu';
export type Power = 'running' | 'stopped';

export interface DomainOptions {
  type: DomainType;
  /** A libvirt storage pool for the resource's disk; without one the domain has no disk. */
  storagePool?: string;
  /** qcow2 (needs qemu-img on the host) or raw (sparse). */
  volumeFormat?: VolumeFormat;
}

export type VolumeFormat = 'qcow2' | 'raw';

const escape = (value: string) =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const unescape = (value: string) =>
  value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The domain's UUID: the resource id when it is one, so a redefine updates instead of clashing. */
export function domainUuid(resourceId: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(resourceId))
    return resourceId.toLowerCase();
  const hex = createHash('sha256').update(`govcloud:${resourceId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const volumeName = (resourceId: string, format: VolumeFormat = 'qcow2') =>
  `${objectName(resourceId)}.${format === 'raw' ? 'img' : 'qcow2'}`;
export const memoryMiB = (r: DriverResource) => Math.max(16, Math.round(r.spec.memoryGiB * 1024));
export const vcpus = (r: DriverResource) => Math.max(1, Math.ceil(r.spec.vcpu));

/** A digest of everything the XML says except the power state, to tell whether a redefine is due. */
export function specDigest(r: DriverResource, options: DomainOptions): string {
  const what = {
    type: options.type,
    pool: options.storagePool,
    vcpu: vcpus(r),
    memory: memoryMiB(r),
    storage: r.spec.storageGiB,
    image: r.spec.image,
    labels: resourceLabels(r),
  };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
}

/**
 * Domain XML for a resource. Our metadata element carries the resource id, department, labels, the
 * desired power state (so a retried ensure after a crash between define and start still starts it,
 * and a stopped domain stays stopped) and a digest of the spec; the title carries the department so a
 * single `virsh list --title` answers the whole pool.
 */
export function domainXml(r: DriverResource, options: DomainOptions, power: Power): string {
  const department = departmentLabel(r.department);
  const disk = options.storagePool
    ? `
    <disk type='volume' device='disk'>
      <driver name='qemu' type='${options.volumeFormat ?? 'qcow2'}'/>
      <source pool='${escape(options.storagePool)}' volume='${escape(volumeName(r.id, options.volumeFormat))}'/>
      <target dev='vda' bus='virtio'/>
    </disk>`
    : '';
  return `<domain type='${options.type}'>
  <name>${objectName(r.id)}</name>
  <uuid>${domainUuid(r.id)}</uuid>
  <title>${escape(TITLE_PREFIX + department)}</title>
  <metadata>
    <gc:resource xmlns:gc="${METADATA_NS}" id="${escape(r.id)}" department="${escape(department)}" power="${power}" digest="${specDigest(r, options)}" image="${escape(r.spec.image)}" labels="${escape(JSON.stringify(resourceLabels(r)))}"/>
  </metadata>
  <memory unit='MiB'>${memoryMiB(r)}</memory>
  <vcpu placement='static'>${vcpus(r)}</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <boot dev='hd'/>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>${disk}
    <serial type='pty'/>
    <memballoon model='none'/>
  </devices>
</domain>
`;
}

export interface DomainFacts {
  id?: string;
  department?: string;
  power?: Power;
  digest?: string;
  labels?: Record<string, string>;
  vcpu?: number;
  memoryMiB?: number;
  disks: number;
}

/** What our own XML said, read back from `virsh dumpxml --inactive`. */
export function readDomainXml(xml: string): DomainFacts {
  const element = /<gc:resource\s([^>]*?)\/?>/.exec(xml)?.[1] ?? '';
  const attributes = Object.fromEntries(
    [...element.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, unescape(v)]),
  );
  const memory = /<memory unit='(\w+)'>(\d+)<\/memory>/.exec(xml);
  const factor: Record<string, number> = { KiB: 1 / 1024, MiB: 1, GiB: 1024, b: 1 / 1024 / 1024 };
  return {
    id: attributes.id,
    department: attributes.department,
    power: attributes.power as Power | undefined,
    digest: attributes.digest,
    labels: attributes.labels ? JSON.parse(attributes.labels) : undefined,
    vcpu: Number(/<vcpu[^>]*>(\d+)<\/vcpu>/.exec(xml)?.[1] ?? Number.NaN),
    memoryMiB: memory ? Number(memory[2]) * (factor[memory[1]] ?? 1) : undefined,
    disks: [...xml.matchAll(/<disk /g)].length,
  };
}
