import yaml from 'js-yaml';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { apiVersionOf, KINDS, labelCauses, nameCauses, qualified, type Cause, type Kind } from './kinds.js';
import { mergePatch } from './merge-patch.js';
import { parseSelector, SelectorError } from './selector.js';
import { testTls } from './tls.js';

type Obj = Record<string, any>;

export interface FakeKubeOptions {
  /** The bearer token of the admin user; other tokens in `forbiddenUsers` are authenticated but have no rights. */
  token?: string;
  forbiddenUsers?: Record<string, string>;
  /** Play the controllers: Deployments become available, VirtualMachines run or halt, namespaces finish terminating. */
  controllers?: boolean;
  controllerDelayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  /** The status answered; undefined while unanswered. */
  status?: number;
}

class HttpError {
  constructor(
    readonly code: number,
    readonly body: Obj,
  ) {}
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const clone = <T>(value: T): T => structuredClone(value);

/**
 * A kube-apiserver v1.28 stand-in for tests: HTTPS with a CA of its own, bearer tokens, namespaces,
 * ResourceQuotas, Services, Deployments and kubevirt.io/v1 VirtualMachines, answering as the real
 * server does (test/fixtures/kube-apiserver-v1.28 holds the recorded answers a replay test compares):
 * 201/409 AlreadyExists on create, 404 NotFound, 409 Conflict on a stale resourceVersion, 422 Invalid
 * with causes, 415 for a PATCH sent as plain JSON, merge patch and server-side apply, label selectors,
 * limit/continue paging (410 Expired after compact()), namespaces that terminate. No watch: the drivers
 * do not use it.
 */
export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly store = new Map<string, Obj>();
  private revision = 100;
  private compactedBelow = 0;
  private clusterIps = 0;
  private failures: { status: number; left: number }[] = [];
  private hanging = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly ca: string,
    private readonly options: FakeKubeOptions,
  ) {}

  static async start(options: FakeKubeOptions = {}): Promise<FakeKubeApiServer> {
    const tls = testTls();
    const server = createServer({ cert: tls.cert, key: tls.key });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeKubeApiServer(server, `https://127.0.0.1:${port}`, tls.ca, {
      token: 'fake-admin-token',
      controllers: true,
      controllerDelayMs: 5,
      ...options,
    });
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** A kubeconfig for this server, as an operator would paste into a pool's connection. */
  kubeconfig(token = this.options.token): string {
    return yaml.dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'fake',
          cluster: {
            server: this.url,
            'certificate-authority-data': Buffer.from(this.ca).toString('base64'),
          },
        },
      ],
      users: [{ name: 'govcloud', user: token ? { token } : {} }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'govcloud' } }],
      'current-context': 'fake',
    });
  }

  /** What the server holds of one resource type, for assertions made behind the driver's back. */
  objects(plural: string, namespace?: string): Obj[] {
    return [...this.store.entries()]
      .filter(([key]) => key.startsWith(`${plural}|${namespace ?? ''}`))
      .map(([, object]) => clone(object));
  }

  /** Deletes an object behind the clients' back (drift). */
  remove(plural: string, namespace: string, name: string): boolean {
    return this.store.delete(this.key(plural, namespace, name));
  }

  /** Every continue token issued so far expires (410), as after an etcd compaction. */
  compact(): void {
    this.compactedBelow = ++this.revision;
  }

  /** The next `count` requests answer `status` (500 InternalError or 429 TooManyRequests). */
  failNext(count: number, status: 500 | 429 = 500): void {
    this.failures.push({ status, left: count });
  }

  /** The next `count` requests get no answer at all (a hung server). */
  hangNext(count: number): void {
    this.hanging += count;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private key(plural: string, namespace: string | undefined, name: string) {
    return `${plural}|${namespace ?? ''}|${name}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const contentType = req.headers['content-type']?.split(';')[0];
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      contentType,
    };
    this.requests.push(recorded);
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk) => (data += chunk));
      req.on('end', () => resolve(data));
    });
    if (this.hanging > 0) {
      this.hanging--;
      return; // never answered; close() drops the connection
    }
    let code: number;
    let body: Obj;
    try {
      const failure = this.failures.find((f) => f.left > 0);
      if (failure) {
        failure.left--;
        throw failure.status === 429
          ? new HttpError(429, status(429, 'TooManyRequests', 'Too many requests, please try again later.'))
          : new HttpError(500, status(500, 'InternalError', 'Internal error occurred: injected failure'));
      }
      [code, body] = this.route(req.method ?? 'GET', url, req.headers.authorization, contentType, raw);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      [code, body] = [error.code, error.body];
    }
    recorded.status = code;
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private route(
    method: string,
    url: URL,
    auth: string | undefined,
    contentType: string | undefined,
    raw: string,
  ): [number, Obj] {
    const parts = url.pathname.split('/').filter(Boolean);
    const [group, version, rest] =
      parts[0] === 'api'
        ? ['', parts[1], parts.slice(2)]
        : parts[0] === 'apis'
          ? [parts[1], parts[2], parts.slice(3)]
          : ['', '', []];
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    if (rest[0] === 'namespaces' && rest.length > 2) [, namespace, plural, name] = rest;
    else [plural, name] = rest;
    const kind = KINDS.find((k) => k.group === group && k.version === version && k.plural === plural);
    if (!kind || rest.length > 4) {
      throw new HttpError(
        404,
        status(404, 'NotFound', 'the server could not find the requested resource', { details: {} }),
      );
    }
    const verb = {
      GET: name ? 'get' : 'list',
      POST: 'create',
      PUT: 'update',
      PATCH: 'patch',
      DELETE: 'delete',
    }[method];
    if (!verb)
      throw new HttpError(
        405,
        status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`),
      );
    this.authorize(auth, kind, verb, namespace, name);
    const body = () => parseBody(raw, contentType);
    switch (verb) {
      case 'get':
        return [200, this.read(kind, namespace, name!)];
      case 'list':
        return [200, this.list(kind, namespace, url.searchParams)];
      case 'create':
        return [201, this.create(kind, namespace, body())];
      case 'update':
        return [200, this.update(kind, namespace, name!, body())];
      case 'patch':
        return this.patch(kind, namespace, name!, contentType, raw);
      default:
        return [200, this.delete(kind, namespace, name!)];
    }
  }

  private authorize(auth: string | undefined, kind: Kind, verb: string, namespace?: string, name?: string) {
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (token === this.options.token) return;
    const user = token === undefined ? 'system:anonymous' : this.options.forbiddenUsers?.[token];
    if (user === undefined) throw new HttpError(401, status(401, 'Unauthorized', 'Unauthorized'));
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    const message = `${qualified(kind)}${name ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${kind.plural}" in API group "${kind.group}" ${scope}`;
    throw new HttpError(403, status(403, 'Forbidden', message, { details: details(kind, name) }));
  }

  private read(kind: Kind, namespace: string | undefined, name: string): Obj {
    const object = this.store.get(this.key(kind.plural, namespace, name));
    if (!object) throw notFound(kind, name);
    return clone(object);
  }

  private list(kind: Kind, namespace: string | undefined, params: URLSearchParams): Obj {
    let matches: (labels: Record<string, string>) => boolean;
    try {
      matches = parseSelector(params.get('labelSelector'));
    } catch (error) {
      if (error instanceof SelectorError) throw new HttpError(400, status(400, 'BadRequest', error.message));
      throw error;
    }
    // Keys relative to the list's prefix, in etcd's order: "ns/name" across namespaces, "name" within one.
    const relative = (object: Obj) =>
      kind.namespaced && !namespace
        ? `${object.metadata.namespace}/${object.metadata.name}`
        : object.metadata.name;
    let items = [...this.store.entries()]
      .filter(([key]) => key.startsWith(`${kind.plural}|`))
      .map(([, object]) => object)
      .filter((object) => !namespace || object.metadata.namespace === namespace)
      .filter((object) => matches(object.metadata.labels ?? {}))
      .sort((a, b) => (relative(a) < relative(b) ? -1 : 1));
    const token = params.get('continue');
    let listRevision = this.revision;
    if (token) {
      const decoded = decodeContinue(token);
      if (decoded.rv < this.compactedBelow) {
        throw new HttpError(410, {
          ...status(410, 'Expired', EXPIRED_MESSAGE),
          metadata: { continue: encodeContinue(this.revision, decoded.start) },
        });
      }
      listRevision = decoded.rv;
      items = items.filter((object) => relative(object) >= decoded.start);
    }
    const limit = Number.parseInt(params.get('limit') ?? '0', 10);
    const metadata: Obj = { resourceVersion: String(listRevision) };
    if (limit > 0 && items.length > limit) {
      const rest = items.length - limit;
      items = items.slice(0, limit);
      metadata.continue = encodeContinue(listRevision, `${relative(items[items.length - 1])}\u0000`);
      // kube-apiserver counts what is left only when no selector filters the list.
      if (!params.get('labelSelector')) metadata.remainingItemCount = rest;
    }
    return {
      kind: `${kind.kind}List`,
      apiVersion: apiVersionOf(kind),
      metadata,
      items: items.map((object) => {
        const item = clone(object);
        if (kind.builtin) {
          delete item.kind;
          delete item.apiVersion;
        }
        return item;
      }),
    };
  }

  private create(kind: Kind, namespace: string | undefined, body: Obj, force = false): Obj {
    const object = clone(body);
    object.metadata ??= {};
    if (kind.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw new HttpError(
          400,
          status(
            400,
            'BadRequest',
            'the namespace of the provided object does not match the namespace sent on the request',
          ),
        );
      }
      object.metadata.namespace = namespace;
    }
    const name = object.metadata.name;
    this.validate(kind, object);
    if (kind.namespaced) {
      const ns = this.store.get(this.key('namespaces', undefined, namespace!));
      if (!ns)
        throw new HttpError(
          404,
          status(404, 'NotFound', `namespaces "${namespace}" not found`, {
            details: { name: namespace, kind: 'namespaces' },
          }),
        );
      if (ns.metadata.deletionTimestamp) {
        throw new HttpError(
          403,
          status(
            403,
            'Forbidden',
            `${qualified(kind)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
            {
              details: {
                ...details(kind, name),
                causes: [
                  {
                    reason: 'NamespaceTerminating',
                    message: `namespace ${namespace} is being terminated`,
                    field: 'metadata.namespace',
                  },
                ],
              },
            },
          ),
        );
      }
    }
    const key = this.key(kind.plural, namespace, name);
    if (this.store.has(key) && !force) {
      throw new HttpError(
        409,
        status(409, 'AlreadyExists', `${qualified(kind)} "${name}" already exists`, {
          details: details(kind, name),
        }),
      );
    }
    object.kind = kind.kind;
    object.apiVersion = apiVersionOf(kind);
    object.metadata.uid = randomUUID();
    object.metadata.resourceVersion = String(++this.revision);
    object.metadata.creationTimestamp = now();
    if (kind.generation) object.metadata.generation = 1;
    kind.defaults?.(object, this);
    this.store.set(key, object);
    this.react(kind, key);
    return clone(object);
  }

  private update(kind: Kind, namespace: string | undefined, name: string, body: Obj): Obj {
    if (body.metadata?.name !== name) {
      throw new HttpError(
        400,
        status(
          400,
          'BadRequest',
          `the name of the object (${body.metadata?.name}) does not match the name on the URL (${name})`,
        ),
      );
    }
    const key = this.key(kind.plural, namespace, name);
    const current = this.store.get(key);
    if (!current) throw notFound(kind, name);
    const sent = body.metadata?.resourceVersion;
    if (sent === undefined || sent === '') {
      if (!kind.unconditionalUpdate) {
        throw invalidError(kind, name, [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: 0x0: must be specified for an update',
            field: 'metadata.resourceVersion',
          },
        ]);
      }
    } else if (sent !== current.metadata.resourceVersion) {
      throw new HttpError(
        409,
        status(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${qualified(kind)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { details: details(kind, name) },
        ),
      );
    }
    return this.replace(kind, key, current, body);
  }

  private patch(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    contentType: string | undefined,
    raw: string,
  ): [number, Obj] {
    const key = this.key(kind.plural, namespace, name);
    const current = this.store.get(key);
    if (contentType === 'application/apply-patch+yaml') {
      const applied = yaml.load(raw) as Obj;
      if (!current) return [201, this.create(kind, namespace, applied)];
      return [200, this.replace(kind, key, current, mergePatch(current, applied) as Obj)];
    }
    if (
      contentType !== 'application/merge-patch+json' &&
      contentType !== 'application/strategic-merge-patch+json'
    ) {
      throw new HttpError(
        415,
        status(
          415,
          'UnsupportedMediaType',
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        ),
      );
    }
    if (!current) throw notFound(kind, name);
    const patched = mergePatch(current, parseBody(raw, 'application/json')) as Obj;
    return [200, this.replace(kind, key, current, patched)];
  }

  /** Writes a new version: identity and (for built-ins) status stay, generation follows spec changes. */
  private replace(kind: Kind, key: string, current: Obj, body: Obj): Obj {
    const next = clone(body);
    next.kind = kind.kind;
    next.apiVersion = apiVersionOf(kind);
    next.metadata = {
      ...next.metadata,
      name: current.metadata.name,
      namespace: current.metadata.namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      resourceVersion: current.metadata.resourceVersion,
    };
    if (current.metadata.deletionTimestamp)
      next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    if (kind.generation) next.metadata.generation = current.metadata.generation;
    if (kind.builtin) next.status = clone(current.status);
    if (next.metadata.namespace === undefined) delete next.metadata.namespace;
    this.validate(kind, next);
    kind.defaults?.(next, this);
    if (kind.builtin) next.status = clone(current.status);
    if (isDeepStrictEqual(next, current)) return clone(current); // a no-op write keeps its resourceVersion
    if (kind.generation && !isDeepStrictEqual(next.spec, current.spec)) next.metadata.generation += 1;
    next.metadata.resourceVersion = String(++this.revision);
    this.store.set(key, next);
    this.react(kind, key);
    return clone(next);
  }

  private delete(kind: Kind, namespace: string | undefined, name: string): Obj {
    const key = this.key(kind.plural, namespace, name);
    const current = this.store.get(key);
    if (!current) throw notFound(kind, name);
    if (kind.plural === 'namespaces') {
      // Namespaces go through Terminating while their content is removed.
      current.metadata.deletionTimestamp ??= now();
      current.status = { phase: 'Terminating' };
      current.metadata.resourceVersion = String(++this.revision);
      this.react(kind, key);
      return clone(current);
    }
    this.store.delete(key);
    ++this.revision;
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { ...details(kind, name), uid: current.metadata.uid },
    };
  }

  private validate(kind: Kind, object: Obj) {
    const causes = [
      ...nameCauses(object.metadata?.name, kind.nameRule),
      ...labelCauses(object.metadata?.labels),
      ...(kind.validate?.(object) ?? []),
    ];
    if (causes.length > 0) throw invalidError(kind, object.metadata?.name, causes);
  }

  /** The controllers' part, a moment after a write, as the real ones would do it. */
  private react(kind: Kind, key: string) {
    if (!this.options.controllers) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const object = this.store.get(key);
      if (!object) return;
      const next = clone(object);
      if (kind.plural === 'deployments') {
        const replicas = next.spec.replicas ?? 1;
        next.metadata.annotations = {
          ...next.metadata.annotations,
          'deployment.kubernetes.io/revision': '1',
        };
        next.status = {
          observedGeneration: next.metadata.generation,
          ...(replicas > 0
            ? { replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas }
            : {}),
          conditions: [
            {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
            },
            {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetAvailable',
              message: `ReplicaSet "${next.metadata.name}-5d9c7b8f6c" has successfully progressed.`,
            },
          ],
        };
      } else if (kind.plural === 'virtualmachines') {
        const running = next.spec?.runStrategy !== 'Halted';
        next.status = { printableStatus: running ? 'Running' : 'Stopped', ready: running, created: running };
      } else if (kind.plural === 'namespaces' && next.metadata.deletionTimestamp) {
        const namespace = next.metadata.name;
        for (const k of [...this.store.keys()]) if (k.split('|')[1] === namespace) this.store.delete(k);
        this.store.delete(key);
        return;
      } else return;
      if (isDeepStrictEqual(next, object)) return;
      next.metadata.resourceVersion = String(++this.revision);
      this.store.set(key, next);
    }, this.options.controllerDelayMs);
    this.timers.add(timer);
  }

  nextClusterIp(): string {
    this.clusterIps++;
    return `10.96.${Math.floor(this.clusterIps / 250)}.${(this.clusterIps % 250) + 2}`;
  }
}

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function status(code: number, reason: string, message: string, extra: Obj = {}): Obj {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...extra,
    code,
  };
}

function details(kind: Kind, name?: string): Obj {
  return {
    ...(name !== undefined ? { name } : {}),
    ...(kind.group ? { group: kind.group } : {}),
    kind: kind.plural,
  };
}

const notFound = (kind: Kind, name: string) =>
  new HttpError(
    404,
    status(404, 'NotFound', `${qualified(kind)} "${name}" not found`, { details: details(kind, name) }),
  );

function invalidError(kind: Kind, name: string, causes: Cause[]) {
  const listed = causes.map((c) => `${c.field}: ${c.message}`);
  const what = `${kind.kind}${kind.group ? `.${kind.group}` : ''} "${name}"`;
  const message = `${what} is invalid: ${listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`}`;
  return new HttpError(
    422,
    status(422, 'Invalid', message, {
      details: { name, ...(kind.group ? { group: kind.group } : {}), kind: kind.kind, causes },
    }),
  );
}

function parseBody(raw: string, contentType: string | undefined): Obj {
  try {
    return contentType === 'application/apply-patch+yaml' ? (yaml.load(raw) as Obj) : JSON.parse(raw);
  } catch {
    throw new HttpError(400, status(400, 'BadRequest', 'the object provided is unrecognized or malformed'));
  }
}

// Continue tokens as kube-apiserver makes them: unpadded base64url of {"v","rv","start"}.
function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (decoded.v !== 'meta.k8s.io/v1' || typeof decoded.rv !== 'number') throw new Error();
    return { rv: decoded.rv, start: String(decoded.start) };
  } catch {
    throw new HttpError(
      400,
      status(
        400,
        'BadRequest',
        'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
      ),
    );
  }
}
