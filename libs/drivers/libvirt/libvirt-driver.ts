import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '../errors.js';
import { departmentLabel, objectName, resourceIdOf } from '../naming.js';
import type { DriverPool, DriverResource, ObservedObject, ObservedPhase, ResourceDriver } from '../types.js';
import {
  domainXml,
  readDomainXml,
  specDigest,
  TITLE_PREFIX,
  volumeName,
  type DomainOptions,
  type DomainType,
  type Power,
  type VolumeFormat,
} from './domain-xml.js';
import { virsh, VirshError } from './virsh.js';

export interface LibvirtConnection {
  /** qemu:///system locally, qemu+ssh://user@host/system remotely. */
  uri: string;
  /** 'kvm' or 'qemu' (software emulation); asked of the host (domcapabilities) when absent. */
  domainType?: DomainType;
  /** How long stop waits for the guest to power off after an ACPI shutdown before pulling the plug. */
  shutdownTimeoutMs?: number;
  /** A libvirt storage pool where each resource gets a qcow2 volume of its storageGiB. */
  storagePool?: string;
  /** Format of those volumes: qcow2 (the default; needs qemu-img on the host) or raw. */
  volumeFormat?: VolumeFormat;
  /** Per virsh call. */
  commandTimeoutMs?: number;
}

/** A libvirt pool's connection: a URI, or JSON with the URI and the options above, each checked. */
export function parseLibvirtConnection(connection: string): LibvirtConnection {
  const text = connection.trim();
  let parsed: unknown;
  try {
    parsed = text.startsWith('{') ? JSON.parse(text) : { uri: text };
  } catch {
    throw new DriverError('Misconfigured', 'libvirt connection must be a URI or JSON {"uri": ...}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new DriverError('Misconfigured', 'libvirt connection must be a URI or JSON {"uri": ...}');
  const raw = parsed as Record<string, unknown>;
  const bad = (field: string, problem: string) =>
    new DriverError('Misconfigured', `libvirt connection: ${field} ${problem}`, { field });
  for (const key of Object.keys(raw))
    if (!LIBVIRT_KEYS.includes(key as keyof LibvirtConnection))
      throw bad(key, `is not an option (${LIBVIRT_KEYS.join(', ')})`);
  if (typeof raw.uri !== 'string' || !/^[a-z0-9+]+:\/\//i.test(raw.uri))
    throw bad('uri', 'must be a libvirt URI such as qemu:///system');
  checkTransport(raw.uri, bad);
  const oneOf = (field: string, allowed: readonly string[]) => {
    if (raw[field] !== undefined && !allowed.includes(raw[field] as string))
      throw bad(field, `must be ${allowed.join(' or ')}`);
  };
  oneOf('domainType', ['kvm', 'qemu']);
  oneOf('volumeFormat', ['qcow2', 'raw']);
  const milliseconds = (field: string, min: number) => {
    const value = raw[field];
    if (
      value !== undefined &&
      !(Number.isInteger(value) && (value as number) >= min && (value as number) <= MAX_MS)
    )
      throw bad(field, `must be a whole number of milliseconds from ${min} to ${MAX_MS}`);
  };
  milliseconds('shutdownTimeoutMs', 0);
  milliseconds('commandTimeoutMs', 1000);
  if (
    raw.storagePool !== undefined &&
    (typeof raw.storagePool !== 'string' || !POOL_NAME.test(raw.storagePool))
  )
    throw bad('storagePool', 'must be a libvirt storage pool name (letters, digits, . _ -; at most 100)');
  return raw as unknown as LibvirtConnection;
}

const LIBVIRT_KEYS: readonly (keyof LibvirtConnection)[] = [
  'uri',
  'domainType',
  'shutdownTimeoutMs',
  'storagePool',
  'volumeFormat',
  'commandTimeoutMs',
];
/** Ten minutes: longer than any guest should take to power off, or virsh to answer. */
const MAX_MS = 600_000;
const POOL_NAME = /^[A-Za-z0-9._-]{1,100}$/;

// virsh domstate words (LC_ALL=C) to our phases.
const PHASES: Record<string, ObservedPhase> = {
  running: 'running',
  idle: 'running',
  blocked: 'running',
  paused: 'pending',
  'in shutdown': 'pending',
  dying: 'pending',
  pmsuspended: 'stopped',
  'shut off': 'stopped',
  crashed: 'failed',
};

/** The phase a `virsh domstate` word means; a state this table does not know is pending. */
export const domainPhase = (state: string): ObservedPhase => PHASES[state] ?? 'pending';
const ACTIVE = new Set(['running', 'idle', 'blocked', 'paused', 'in shutdown', 'pmsuspended']);

/**
 * VMs on KVM hosts through virsh (no shell: execFile). A domain gc-<id> per resource, defined from
 * XML built from the spec; stop is an ACPI shutdown, then destroy after a timeout; delete undefines
 * it (and removes its volume). A spec change redefines the persistent config, which a running guest
 * picks up at its next boot.
 */
export class LibvirtDriver implements ResourceDriver {
  readonly type = 'libvirt' as const;
  // Each call is a virsh process (over ssh for a remote host): few enough for one host.
  readonly parallelism = 8;
  private readonly connection: LibvirtConnection;
  private domainType?: Promise<DomainType>;

  constructor(pool: DriverPool) {
    this.connection = parseLibvirtConnection(pool.connection);
  }

  async ensure(r: DriverResource): Promise<ObservedObject> {
    if (r.kind !== 'vm') throw new DriverError('Invalid', `libvirt pools run VMs, not ${r.kind}`);
    const name = objectName(r.id);
    const options = await this.options();
    const facts = await this.inspect(name);
    const power: Power = facts?.xml.power ?? 'running';
    if (options.storagePool) await this.ensureVolume(r, options, ACTIVE.has(facts?.state ?? 'shut off'));
    if (!facts || facts.xml.digest !== specDigest(r, options) || facts.xml.power !== power) {
      await this.define(r, options, power);
    }
    if (power === 'running' && !ACTIVE.has(facts?.state ?? 'shut off')) await this.boot(name);
    return this.observe(r, name);
  }

  async start(r: DriverResource): Promise<ObservedObject> {
    const name = objectName(r.id);
    const facts = await this.inspect(name);
    if (!facts) throw new DriverError('NotFound', `domain ${name} does not exist`);
    if (facts.xml.power !== 'running') await this.define(r, await this.options(), 'running');
    if (!ACTIVE.has(facts.state)) await this.boot(name);
    return this.observe(r, name);
  }

  async stop(r: DriverResource): Promise<ObservedObject> {
    const name = objectName(r.id);
    const facts = await this.inspect(name);
    if (!facts) throw new DriverError('NotFound', `domain ${name} does not exist`);
    // Record the wish first: a stop interrupted after this point is finished by the next ensure or stop.
    if (facts.xml.power !== 'stopped') await this.define(r, await this.options(), 'stopped');
    if (ACTIVE.has(facts.state)) await this.powerOff(name);
    return this.observe(r, name);
  }

  async delete(r: DriverResource): Promise<void> {
    const name = objectName(r.id);
    await this.run(['destroy', name], name, ['NotFound', 'NotRunning']);
    await this.run(['undefine', name], name, ['NotFound']);
    if (this.connection.storagePool) {
      await this.run(
        ['vol-delete', '--pool', this.connection.storagePool, volumeName(r.id, this.connection.volumeFormat)],
        name,
        ['NotFound'],
      );
    }
  }

  /** One `virsh list --all --title` for the whole host: our domains are gc-* with our title. */
  async list(): Promise<ObservedObject[]> {
    const out = await this.run(['list', '--all', '--title'], 'list');
    const observed: ObservedObject[] = [];
    for (const line of out.split('\n').slice(2)) {
      const match =
        /^\s*(\S+)\s+(\S+)\s+(running|idle|blocked|paused|in shutdown|shut off|crashed|dying|pmsuspended)\s*(.*)$/.exec(
          line,
        );
      if (!match) continue;
      const [, , name, state, title] = match;
      const resourceId = resourceIdOf(name);
      if (!resourceId || !title.startsWith(TITLE_PREFIX)) continue;
      observed.push({
        name,
        resourceId,
        phase: domainPhase(state),
        department: title.slice(TITLE_PREFIX.length).trim(),
      });
    }
    return observed;
  }

  async close(): Promise<void> {
    // Nothing held: every call is its own virsh process.
  }

  private async options(): Promise<DomainOptions> {
    this.domainType ??= this.connection.domainType
      ? Promise.resolve(this.connection.domainType)
      : // KVM when the host offers it, else QEMU's software emulation (containers, CI).
        this.run(['domcapabilities', '--virttype', 'kvm'], 'domcapabilities').then(
          () => 'kvm' as const,
          () => 'qemu' as const,
        );
    const { storagePool, volumeFormat } = this.connection;
    return { type: await this.domainType, storagePool, volumeFormat };
  }

  private async inspect(name: string) {
    let xml: string;
    try {
      xml = await this.run(['dumpxml', '--inactive', name], name);
    } catch (error) {
      if (error instanceof DriverError && error.code === 'NotFound') return undefined;
      throw error;
    }
    const state = (await this.run(['domstate', name], name)).trim();
    return { xml: readDomainXml(xml), state };
  }

  private async observe(r: DriverResource, name: string): Promise<ObservedObject> {
    const state = (await this.run(['domstate', name], name)).trim();
    const observed: ObservedObject = {
      name,
      resourceId: r.id,
      phase: domainPhase(state),
      department: departmentLabel(r.department),
    };
    if (state !== 'running' && state !== 'shut off') observed.detail = state;
    return observed;
  }

  private async define(r: DriverResource, options: DomainOptions, power: Power): Promise<void> {
    const dir = await mkdtemp(path.join(tmpdir(), 'govcloud-domain-'));
    try {
      const file = path.join(dir, `${objectName(r.id)}.xml`);
      await writeFile(file, domainXml(r, options, power));
      // The UUID is the resource id: defining again updates the same domain, never a second one.
      await this.run(['define', file], objectName(r.id));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async boot(name: string): Promise<void> {
    // Already running means another worker booted it: that is what we wanted.
    await this.run(['start', name], name, ['AlreadyRunning']);
  }

  private async powerOff(name: string): Promise<void> {
    await this.run(['shutdown', name], name, ['NotRunning']);
    const deadline = Date.now() + (this.connection.shutdownTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (!ACTIVE.has((await this.run(['domstate', name], name)).trim())) return;
      await sleep(250);
    }
    // The guest ignored ACPI (or has no OS): pull the plug.
    await this.run(['destroy', name], name, ['NotRunning']);
  }

  /**
   * The resource's volume, of at least its storageGiB: grown (never shrunk) while the domain is off, so
   * a running guest's disk grows at its next boot, as its other sizes do.
   */
  private async ensureVolume(r: DriverResource, options: DomainOptions, running: boolean): Promise<void> {
    const format = options.volumeFormat ?? 'qcow2';
    const volume = volumeName(r.id, format);
    const gib = Math.max(1, Math.ceil(r.spec.storageGiB));
    const pool = options.storagePool!;
    const made = await this.run(
      ['vol-create-as', pool, volume, `${gib}G`, '--format', format],
      objectName(r.id),
      ['AlreadyExists'],
    );
    if (made !== '' || running) return;
    const info = await this.run(['vol-info', '--bytes', '--pool', pool, volume], objectName(r.id));
    const capacity = Number(/^Capacity:\s+(\d+)/m.exec(info)?.[1] ?? NaN);
    if (capacity < gib * 2 ** 30)
      await this.run(['vol-resize', '--pool', pool, volume, `${gib}G`], objectName(r.id));
  }

  /** One virsh call; failures listed in `tolerate` count as success (the state we wanted is there). */
  private async run(args: string[], what: string, tolerate: string[] = []): Promise<string> {
    try {
      return await virsh(this.connection.uri, args, this.connection.commandTimeoutMs ?? 60_000);
    } catch (error) {
      if (error instanceof VirshError) {
        if (tolerate.includes(error.failure)) return '';
        throw error.toDriverError(`domain ${what}`);
      }
      throw error;
    }
  }
}

/**
 * The QEMU driver over the transports that reach a host, and nothing that makes the worker run a program
 * the URI names: the `ext` transport and the ssh transports' `command` parameter would run any program as
 * the worker, which holds the key to every pool's secret.
 */
function checkTransport(uri: string, bad: (field: string, problem: string) => DriverError): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw bad('uri', 'must be a libvirt URI such as qemu:///system');
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (!LIBVIRT_SCHEMES.includes(scheme))
    throw bad('uri', `must use one of ${LIBVIRT_SCHEMES.map((s) => `${s}://`).join(', ')}`);
  for (const name of url.searchParams.keys())
    if (name.toLowerCase() === 'command') throw bad('uri', `must not name a local program (${name}=)`);
}

const LIBVIRT_SCHEMES = [
  'qemu',
  'qemu+unix',
  'qemu+ssh',
  'qemu+libssh',
  'qemu+libssh2',
  'qemu+tls',
  'qemu+tcp',
];
