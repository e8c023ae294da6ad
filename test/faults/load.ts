// The fault suite's clients: a round-robin HTTP client that behaves as a good client should (a 503 or
// a dropped connection is sent again after Retry-After, with the same Idempotency-Key), and a bounded
// mixed load over it that remembers every request the API accepted, for the checks afterwards.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { unique } from '../support/harness.js';

export interface Answer {
  status: number;
  body: any;
  /** The X-Request-Id of every attempt, the last one answering `status`. */
  requestIds: string[];
}

interface Call {
  token?: string;
  json?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
}

/** How long one request is sent again while the API answers 503 or is unreachable. */
const RETRY_FOR_MS = 90_000;
const ATTEMPT_TIMEOUT_MS = 30_000;

export class Api {
  /** How many attempts answered each status ('network' when no answer came). */
  readonly statuses = new Map<string, number>();
  /** Answers 5xx other than 503: a fault the API did not turn into "retry later". */
  readonly serverErrors: string[] = [];
  private next = 0;
  private sequence = 0;

  constructor(readonly urls: string[]) {}

  /** One attempt, on the next API process (as a load balancer would spread them), or on `url`. */
  async once(method: string, path: string, call: Call = {}, url?: string): Promise<Answer> {
    const requestId = `faults-${++this.sequence}`;
    const base = url ?? this.urls[this.next++ % this.urls.length];
    const headers: Record<string, string> = { 'X-Request-Id': requestId, ...call.headers };
    if (call.token) headers.Authorization = `Bearer ${call.token}`;
    if (call.json !== undefined) headers['Content-Type'] = 'application/json';
    let status: number;
    let body: any;
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers,
        body: call.form ?? (call.json === undefined ? undefined : JSON.stringify(call.json)),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      status = res.status;
      const text = await res.text();
      body = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    } catch {
      status = 0;
    }
    const key = status === 0 ? 'network' : String(status);
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    if (status >= 500 && status !== 503) {
      this.serverErrors.push(`${method} ${path} → ${status} ${JSON.stringify(body).slice(0, 300)}`);
    }
    return { status, body, requestIds: [requestId] };
  }

  /** Sends until an answer other than 503 or no answer at all, for at most RETRY_FOR_MS. */
  async send(method: string, path: string, call: Call = {}): Promise<Answer> {
    const requestIds: string[] = [];
    const until = Date.now() + RETRY_FOR_MS;
    for (;;) {
      const answer = await this.once(method, path, call);
      requestIds.push(...answer.requestIds);
      if ((answer.status !== 503 && answer.status !== 0) || Date.now() > until) {
        return { ...answer, requestIds };
      }
      await sleep(answer.status === 503 ? 1000 : 300);
    }
  }
}

export interface Accepted {
  /** What was asked, for the report. */
  what: 'create' | 'delete' | 'quota-request' | 'decide' | 'import';
  /** The attempts' request ids: the change is audited under one of them. */
  requestIds: string[];
}

export interface Fixture {
  departmentId: string;
  departmentCode: string;
  unitId: string;
  fakePoolId: string;
  libvirtPoolId: string;
  deptAdmin: string;
  operator: string;
}

const SPEC = { vcpu: 1, memoryGiB: 1, storageGiB: 1, image: 'debian-12' };
/** No disk and no OS, the smallest the API takes (1 GiB; QEMU only maps what the guest touches). */
const TINY_VM = { vcpu: 1, memoryGiB: 1, storageGiB: 0, image: 'none' };
const SYSTEM_HEADER =
  '部门编码,系统名称,用途,密级,等保级别,架构,数据库,专用设备,数据量(GB),用户数,可用性要求,关键系统';

/**
 * A bounded mixed load: resource requests and deletes on the fake pool, quota requests filed and
 * decided, inventory imports, and two tiny VMs on the libvirt pool. Runs `lanes` loops until stop()
 * or MAX_OPS operations or `maxMs`, whichever comes first.
 */
export class Load {
  static readonly MAX_OPS = 400;
  readonly accepted: Accepted[] = [];
  /** Resources the API accepted, by pool. */
  readonly resources: Array<{ id: string; pool: 'fake' | 'libvirt' }> = [];
  readonly deleted = new Set<string>();
  readonly quotaRequests: string[] = [];
  readonly importedSystems: string[] = [];
  /** Answers the checks did not expect (not 2xx, 503 or a client-side race the load knows of). */
  readonly unexpected: string[] = [];
  private ops = 0;
  private stopped = false;
  private running?: Promise<unknown>;

  constructor(
    private readonly api: Api,
    private readonly f: Fixture,
  ) {}

  start(lanes: number, maxMs: number): void {
    const until = Date.now() + maxMs;
    const lane = async () => {
      while (!this.stopped && this.ops < Load.MAX_OPS && Date.now() < until) {
        this.ops++;
        await this.oneOf();
        await sleep(100 + Math.random() * 300);
      }
    };
    this.running = Promise.all([this.libvirt(), ...Array.from({ length: lanes }, lane)]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  get count(): number {
    return this.ops;
  }

  private oneOf(): Promise<void> {
    const roll = Math.random();
    if (roll < 0.5) return this.create('fake').then(() => undefined);
    if (roll < 0.7) return this.deleteOne();
    if (roll < 0.85) return this.quotaRequest();
    return this.importSystems();
  }

  private async create(pool: 'fake' | 'libvirt'): Promise<string | undefined> {
    const answer = await this.api.send('POST', '/api/v1/resources', {
      token: this.f.deptAdmin,
      headers: { 'Idempotency-Key': randomUUID() },
      json: {
        kind: 'vm',
        name: unique(pool),
        departmentId: this.f.departmentId,
        poolId: pool === 'fake' ? this.f.fakePoolId : this.f.libvirtPoolId,
        spec: pool === 'fake' ? SPEC : TINY_VM,
      },
    });
    if (!this.expect(answer, 202, 'create')) return undefined;
    this.resources.push({ id: answer.body.id, pool });
    return answer.body.id as string;
  }

  private async deleteOne(): Promise<void> {
    const candidates = this.resources.filter((r) => r.pool === 'fake' && !this.deleted.has(r.id));
    if (candidates.length === 0) return;
    const { id } = candidates[Math.floor(Math.random() * candidates.length)];
    await this.remove(id);
  }

  private async remove(id: string): Promise<void> {
    this.deleted.add(id);
    const answer = await this.api.send('DELETE', `/api/v1/resources/${id}`, { token: this.f.deptAdmin });
    // A retry after an attempt that committed but lost its answer finds the resource deleting already.
    if (answer.status === 409 && answer.requestIds.length > 1) return;
    this.expect(answer, 202, 'delete');
  }

  private async quotaRequest(): Promise<void> {
    const filed = await this.api.send('POST', '/api/v1/quota-requests', {
      token: this.f.deptAdmin,
      json: {
        departmentId: this.f.unitId,
        limits: { vcpu: 10 + this.quotaRequests.length },
        reason: '故障注入负载 fault-injection load',
      },
    });
    if (!this.expect(filed, 201, 'quota-request')) return;
    const id = filed.body.id as string;
    this.quotaRequests.push(id);
    const approve = this.quotaRequests.length % 2 === 0;
    const decided = await this.api.send(
      'POST',
      `/api/v1/quota-requests/${id}/${approve ? 'approve' : 'reject'}`,
      {
        token: this.f.operator,
        json: approve ? { comment: '同意' } : { reason: '暂缓' },
      },
    );
    if (decided.status === 409 && decided.requestIds.length > 1) return; // decided by an earlier attempt
    this.expect(decided, 200, 'decide');
  }

  private async importSystems(): Promise<void> {
    const names = [unique('系统'), unique('系统')];
    const csv = [
      SYSTEM_HEADER,
      ...names.map((n) => `${this.f.departmentCode},${n},办公,非涉密,2,B/S,MySQL,,10,100,,否`),
    ];
    const form = new FormData();
    form.append('file', new Blob([csv.join('\r\n')], { type: 'text/csv' }), 'systems.csv');
    const answer = await this.api.send('POST', '/api/v1/systems/import', { token: this.f.operator, form });
    if (this.expect(answer, 200, 'import')) this.importedSystems.push(...names);
  }

  /** Two tiny VMs on the real libvirtd: one deleted once it runs, one kept to the end (cleanup deletes it). */
  private async libvirt(): Promise<void> {
    const [doomed] = await Promise.all([this.create('libvirt'), this.create('libvirt')]);
    if (!doomed) return;
    const until = Date.now() + 120_000;
    while (!this.stopped && Date.now() < until) {
      const answer = await this.api.once('GET', `/api/v1/resources/${doomed}`, { token: this.f.deptAdmin });
      if (answer.status === 200 && answer.body.state !== 'queued' && answer.body.state !== 'provisioning')
        break;
      await sleep(1000);
    }
    await this.remove(doomed);
  }

  private expect(answer: Answer, status: number, what: Accepted['what']): boolean {
    if (answer.status !== status) {
      this.unexpected.push(`${what}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      return false;
    }
    this.accepted.push({ what, requestIds: answer.requestIds });
    return true;
  }
}
