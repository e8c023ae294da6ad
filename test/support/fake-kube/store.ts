import jsonPatch from 'fast-json-patch';
import yaml from 'js-yaml';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { apiVersionOf, labelCauses, nameCauses, type Cause, type Kind } from './kinds.js';
import { mergePatch } from './merge-patch.js';
import { parseSelector, SelectorError } from './selector.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  details,
  expired,
  invalidError,
  jsonPatchRefused,
  namespaceNotFound,
  namespaceTerminating,
  notFound,
  parseBody,
  patchTypes,
  unsupportedMediaType,
  type Obj,
} from './errors.js';

export interface ControllerOptions {
  /** Play the controllers: Deployments become available, VirtualMachines run or halt, namespaces finish terminating. */
  controllers?: boolean;
  controllerDelayMs?: number;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const clone = <T>(value: T): T => structuredClone(value);

/**
 * What the fake API server's verbs do to the objects it holds, as kube-apiserver does it over etcd: one
 * revision counter for every write, a resourceVersion from it on each object, lists paged by continue
 * tokens that pin the revision they started at, and the controllers' writes a moment later.
 */
export class ObjectStore {
  private readonly byKey = new Map<string, Obj>();
  private revision = 100;
  private compactedBelow = 0;
  private clusterIps = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: ControllerOptions) {}

  objects(plural: string, namespace?: string): Obj[] {
    return [...this.byKey.entries()]
      .filter(([key]) => key.startsWith(`${plural}|${namespace ?? ''}`))
      .map(([, object]) => clone(object));
  }

  remove(plural: string, namespace: string, name: string): boolean {
    return this.byKey.delete(this.key(plural, namespace, name));
  }

  compact(): void {
    this.compactedBelow = ++this.revision;
  }

  /** Drops the controllers' pending writes, so that none lands after the server is gone. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private key(plural: string, namespace: string | undefined, name: string) {
    return `${plural}|${namespace ?? ''}|${name}`;
  }

  read(kind: Kind, namespace: string | undefined, name: string): Obj {
    const object = this.byKey.get(this.key(kind.plural, namespace, name));
    if (!object) throw notFound(kind, name);
    return clone(object);
  }

  list(kind: Kind, namespace: string | undefined, params: URLSearchParams): Obj {
    let matches: (labels: Record<string, string>) => boolean;
    try {
      matches = parseSelector(params.get('labelSelector'));
    } catch (error) {
      if (error instanceof SelectorError) throw badRequest(error.message);
      throw error;
    }
    // Keys relative to the list's prefix, in etcd's order: "ns/name" across namespaces, "name" within one.
    const relative = (object: Obj) =>
      kind.namespaced && !namespace
        ? `${object.metadata.namespace}/${object.metadata.name}`
        : object.metadata.name;
    let items = [...this.byKey.entries()]
      .filter(([key]) => key.startsWith(`${kind.plural}|`))
      .map(([, object]) => object)
      .filter((object) => !namespace || object.metadata.namespace === namespace)
      .filter((object) => matches(object.metadata.labels ?? {}))
      .sort((a, b) => (relative(a) < relative(b) ? -1 : 1));
    const token = params.get('continue');
    let listRevision = this.revision;
    if (token) {
      const decoded = decodeContinue(token);
      if (decoded.rv < this.compactedBelow) throw expired(encodeContinue(this.revision, decoded.start));
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

  create(kind: Kind, namespace: string | undefined, body: Obj, force = false): Obj {
    const object = clone(body);
    object.metadata ??= {};
    if (kind.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      object.metadata.namespace = namespace;
    }
    const name = object.metadata.name;
    this.validate(kind, object);
    if (kind.namespaced) {
      const ns = this.byKey.get(this.key('namespaces', undefined, namespace!));
      if (!ns) throw namespaceNotFound(namespace);
      if (ns.metadata.deletionTimestamp) throw namespaceTerminating(kind, name, namespace);
    }
    const key = this.key(kind.plural, namespace, name);
    if (this.byKey.has(key) && !force) throw alreadyExists(kind, name);
    object.kind = kind.kind;
    object.apiVersion = apiVersionOf(kind);
    object.metadata.uid = randomUUID();
    object.metadata.resourceVersion = String(++this.revision);
    object.metadata.creationTimestamp = now();
    if (kind.generation) object.metadata.generation = 1;
    kind.defaults?.(object, this);
    this.byKey.set(key, object);
    this.react(kind, key);
    return clone(object);
  }

  update(kind: Kind, namespace: string | undefined, name: string, body: Obj): Obj {
    if (body.metadata?.name !== name) {
      throw badRequest(
        `the name of the object (${body.metadata?.name}) does not match the name on the URL (${name})`,
      );
    }
    const key = this.key(kind.plural, namespace, name);
    const current = this.byKey.get(key);
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
      throw conflict(kind, name);
    }
    return this.replace(kind, key, current, body);
  }

  /**
   * Answers 201 where server-side apply creates the object, 200 otherwise. A strategic merge patch is
   * taken as a JSON merge patch: the fake knows no type's list merge keys.
   */
  patch(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    contentType: string | undefined,
    raw: string,
  ): [number, Obj] {
    const key = this.key(kind.plural, namespace, name);
    const current = this.byKey.get(key);
    if (!contentType || !patchTypes(kind).includes(contentType)) throw unsupportedMediaType(kind);
    if (contentType === 'application/apply-patch+yaml') {
      const applied = yaml.load(raw) as Obj;
      if (!current) return [201, this.create(kind, namespace, applied)];
      return [200, this.replace(kind, key, current, mergePatch(current, applied) as Obj)];
    }
    if (!current) throw notFound(kind, name);
    const patched =
      contentType === 'application/json-patch+json'
        ? applyJsonPatch(current, raw)
        : (mergePatch(current, parseBody(raw, 'application/json')) as Obj);
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
    this.validate(kind, next, kind.updateCauses?.(next, current));
    kind.defaults?.(next, this);
    if (kind.builtin) next.status = clone(current.status);
    if (isDeepStrictEqual(next, current)) return clone(current); // a no-op write keeps its resourceVersion
    if (kind.generation && !isDeepStrictEqual(next.spec, current.spec)) next.metadata.generation += 1;
    next.metadata.resourceVersion = String(++this.revision);
    this.byKey.set(key, next);
    this.react(kind, key);
    return clone(next);
  }

  delete(kind: Kind, namespace: string | undefined, name: string): Obj {
    const key = this.key(kind.plural, namespace, name);
    const current = this.byKey.get(key);
    if (!current) throw notFound(kind, name);
    if (kind.plural === 'namespaces') {
      // Namespaces go through Terminating while their content is removed.
      current.metadata.deletionTimestamp ??= now();
      current.status = { phase: 'Terminating' };
      current.metadata.resourceVersion = String(++this.revision);
      this.react(kind, key);
      return clone(current);
    }
    this.byKey.delete(key);
    ++this.revision;
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { ...details(kind, name), uid: current.metadata.uid },
    };
  }

  private validate(kind: Kind, object: Obj, updateCauses: Cause[] = []) {
    const causes = [
      ...nameCauses(object.metadata?.name, kind.nameRule),
      ...labelCauses(object.metadata?.labels),
      ...(kind.validate?.(object) ?? []),
      ...updateCauses,
    ];
    if (causes.length > 0) throw invalidError(kind, object.metadata?.name, causes);
  }

  /** The controllers' part, a moment after a write, as the real ones would do it. */
  private react(kind: Kind, key: string) {
    if (!this.options.controllers) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const object = this.byKey.get(key);
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
        for (const k of [...this.byKey.keys()]) if (k.split('|')[1] === namespace) this.byKey.delete(k);
        this.byKey.delete(key);
        return;
      } else return;
      if (isDeepStrictEqual(next, object)) return;
      next.metadata.resourceVersion = String(++this.revision);
      this.byKey.set(key, next);
    }, this.options.controllerDelayMs);
    this.timers.add(timer);
  }

  /** For the Service defaults: each Service a ClusterIP of its own. */
  nextClusterIp(): string {
    this.clusterIps++;
    return `10.96.${Math.floor(this.clusterIps / 250)}.${(this.clusterIps % 250) + 2}`;
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
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

/** RFC 6902, as kube-apiserver applies it: a body that is not a list of operations is a 400, one that does not apply a 422. */
function applyJsonPatch(current: Obj, raw: string): Obj {
  const operations: unknown = parseBody(raw, 'application/json');
  if (!Array.isArray(operations)) {
    const type = operations === null ? 'null' : typeof operations;
    throw badRequest(`json: cannot unmarshal ${type} into Go value of type jsonpatch.Patch`);
  }
  try {
    return jsonPatch.applyPatch(current, operations, true, false).newDocument;
  } catch (error) {
    if (error instanceof jsonPatch.JsonPatchError) throw jsonPatchRefused();
    throw error;
  }
}
