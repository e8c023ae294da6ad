import yaml from 'js-yaml';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KINDS, type Kind } from './kinds.js';
import {
  forbidden,
  HttpError,
  injectedFailure,
  methodNotAllowed,
  noSuchResource,
  parseBody,
  unauthorized,
  type Obj,
} from './errors.js';
import { ObjectStore, type ControllerOptions } from './store.js';
import { testTls } from './tls.js';

export interface FakeKubeOptions extends ControllerOptions {
  /** The bearer token of the admin user; other tokens in `forbiddenUsers` are authenticated but have no rights. */
  token?: string;
  forbiddenUsers?: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  /** The status answered; undefined while unanswered. */
  status?: number;
}

/**
 * A kube-apiserver v1.28 stand-in for tests: HTTPS with a CA of its own, bearer tokens, namespaces,
 * ResourceQuotas, Services, Deployments and kubevirt.io/v1 VirtualMachines, answering as the real
 * server does (test/fixtures/kube-apiserver-v1.28 holds the recorded answers a replay test compares):
 * 201/409 AlreadyExists on create, 404 NotFound, 409 Conflict on a stale resourceVersion, 422 Invalid
 * with causes, 415 for a PATCH sent as plain JSON (or as a strategic merge patch to a custom resource),
 * JSON patch, merge patch and server-side apply, a Deployment's selector and a Service's cluster IP
 * kept as first written, label selectors, limit/continue paging (410 Expired after compact()),
 * namespaces that terminate. No watch: the drivers do not use it.
 */
export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly store: ObjectStore;
  private failures: { status: 500 | 429; left: number }[] = [];
  private hanging = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly ca: string,
    private readonly options: FakeKubeOptions,
  ) {
    this.store = new ObjectStore(options);
  }

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
    return this.store.objects(plural, namespace);
  }

  /** Deletes an object behind the clients' back (drift). */
  remove(plural: string, namespace: string, name: string): boolean {
    return this.store.remove(plural, namespace, name);
  }

  /** Every continue token issued so far expires (410), as after an etcd compaction. */
  compact(): void {
    this.store.compact();
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
    this.store.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
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
        throw injectedFailure(failure.status);
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
    if (!kind || rest.length > 4) throw noSuchResource();
    const verb = {
      GET: name ? 'get' : 'list',
      POST: 'create',
      PUT: 'update',
      PATCH: 'patch',
      DELETE: 'delete',
    }[method];
    if (!verb) throw methodNotAllowed();
    this.authorize(auth, kind, verb, namespace, name);
    const body = () => parseBody(raw, contentType);
    switch (verb) {
      case 'get':
        return [200, this.store.read(kind, namespace, name!)];
      case 'list':
        return [200, this.store.list(kind, namespace, url.searchParams)];
      case 'create':
        return [201, this.store.create(kind, namespace, body())];
      case 'update':
        return [200, this.store.update(kind, namespace, name!, body())];
      case 'patch':
        return this.store.patch(kind, namespace, name!, contentType, raw);
      default:
        return [200, this.store.delete(kind, namespace, name!)];
    }
  }

  private authorize(auth: string | undefined, kind: Kind, verb: string, namespace?: string, name?: string) {
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (token === this.options.token) return;
    const user = token === undefined ? 'system:anonymous' : this.options.forbiddenUsers?.[token];
    if (user === undefined) throw unauthorized();
    throw forbidden(kind, verb, user, namespace, name);
  }
}
