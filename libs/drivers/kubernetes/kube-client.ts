import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  createConfiguration,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  ServerConfiguration,
  setHeaderOptions,
  type Middleware,
} from '@kubernetes/client-node';
import { DriverError } from '../errors.js';
import { DEFAULT_KUBE_RATE_LIMIT, limiterFor, type RateLimit } from './rate-limiter.js';

export interface KubeOptions {
  rateLimit?: RateLimit;
  /** Per request; a hung API server fails the call as Unavailable instead of hanging the job. */
  timeoutMs?: number;
  /** Items per list call; lists follow continue tokens. */
  pageSize?: number;
}

/** A Status body from kube-apiserver, as far as the drivers read it. */
export interface KubeStatus {
  code: number;
  reason?: string;
  message?: string;
  /** details.causes[].reason: NamespaceTerminating, FieldValueInvalid… */
  causes: string[];
}

/** The API clients of one cluster, every request passing the per-server rate limiter. */
export class KubeClient {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly server: string;
  readonly pageSize: number;

  constructor(kubeconfig: string, options: KubeOptions = {}) {
    const config = new KubeConfig();
    try {
      config.loadFromString(kubeconfig);
    } catch (error) {
      throw new DriverError('Misconfigured', `kubeconfig cannot be read: ${(error as Error).message}`);
    }
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new DriverError('Misconfigured', 'kubeconfig has no current cluster');
    this.server = cluster.server;
    this.pageSize = options.pageSize ?? 250;
    const limiter = limiterFor(cluster.server, options.rateLimit ?? DEFAULT_KUBE_RATE_LIMIT);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const throttle: Middleware = {
      pre: async (request) => {
        await limiter.take();
        request.setSignal(AbortSignal.timeout(timeoutMs));
        return request;
      },
      post: async (response) => response,
    };
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: config },
      promiseMiddleware: [throttle],
    });
    this.core = new CoreV1Api(configuration);
    this.apps = new AppsV1Api(configuration);
    this.custom = new CustomObjectsApi(configuration);
  }
}

/** Options for a PATCH sent as JSON merge patch (a plain application/json PATCH answers 415). */
export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The Status kube-apiserver answered, or undefined when the call never got an answer. */
export function statusOf(error: unknown): KubeStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = { message: body };
    }
  }
  const status = (body ?? {}) as {
    reason?: string;
    message?: string;
    details?: { causes?: Array<{ reason?: string }> };
  };
  return {
    code: error.code,
    reason: status.reason,
    message: status.message ?? error.message,
    causes: (status.details?.causes ?? []).flatMap((cause) => (cause.reason ? [cause.reason] : [])),
  };
}

export const isNotFound = (error: unknown) => statusOf(error)?.code === 404;
export const isAlreadyExists = (error: unknown) => {
  const status = statusOf(error);
  return status?.code === 409 && status.reason === 'AlreadyExists';
};
/** A create in a namespace being deleted: kube-apiserver answers 403 until the namespace is gone. */
export const isNamespaceTerminating = (error: unknown) => {
  const status = statusOf(error);
  return status?.code === 403 && status.causes.includes('NamespaceTerminating');
};
export const isConflict = (error: unknown) => {
  const status = statusOf(error);
  return status?.code === 409 && status.reason !== 'AlreadyExists';
};

/** Turns anything a client-node call threw into a DriverError that says whether a retry can help. */
export function toDriverError(error: unknown, what: string): DriverError {
  if (error instanceof DriverError) return error;
  const status = statusOf(error);
  if (!status) {
    return new DriverError('Unavailable', `${what}: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
  const message = `${what}: ${status.code} ${status.reason ?? ''} ${status.message ?? ''}`.trim();
  switch (true) {
    case status.code === 404:
      return new DriverError('NotFound', message, { cause: error });
    case status.code === 409:
      return new DriverError('Conflict', message, { cause: error });
    case status.code === 422 || status.code === 400:
      return new DriverError('Invalid', message, { cause: error });
    case status.code === 401:
      return new DriverError('Misconfigured', message, { cause: error });
    case status.code === 403:
      return new DriverError('Forbidden', message, { cause: error });
    case status.code === 429 || status.code >= 500:
      return new DriverError('Unavailable', message, { cause: error });
    default:
      return new DriverError('Failed', message, { cause: error });
  }
}

/** Runs a call, mapping its failure; `what` names the object for the message. */
export async function kube<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDriverError(error, what);
  }
}

/** Runs a call and answers undefined on 404 (get of what may be absent, delete of what may be gone). */
export async function kubeOptional<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toDriverError(error, what);
  }
}

/**
 * Read-modify-write with optimistic concurrency: `attempt` reads the object and replaces it with the
 * resourceVersion it read; a 409 Conflict (someone wrote in between) re-reads and tries again.
 */
export async function withConflictRetry<T>(
  what: string,
  attempt: () => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const conflict = isConflict(error) || (error instanceof DriverError && error.code === 'Conflict');
      if (!conflict || i >= attempts) throw toDriverError(error, what);
    }
  }
}
