import { DriverError } from '../errors.js';
import {
  departmentNamespace,
  LABEL_MANAGED_BY,
  LABEL_RESOURCE_ID,
  MANAGED_BY,
  objectName,
} from '../naming.js';
import type { DriverPool, DriverResource, ObservedObject, ResourceDriver } from '../types.js';
import {
  buildDeployment,
  buildService,
  mergeDeployment,
  mergeService,
  observeDeployment,
  sameDeployment,
  sameService,
  STOPPED_ANNOTATION,
} from './deployment.js';
import { KubeClient, kubeOptional, withConflictRetry, type KubeOptions } from './kube-client.js';
import { DepartmentNamespaces } from './namespaces.js';
import { listAll } from './paging.js';

/** Selects what govcloud made: our managed-by label and a resource id. */
export const OURS_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_RESOURCE_ID}`;

/**
 * Containers on Kubernetes: per resource a Deployment and (when it has ports) a Service named
 * gc-<id> in the department's namespace. Stop scales to 0 and marks the Deployment stopped.
 * The pool's connection is a kubeconfig (its current context).
 */
export class KubernetesDriver implements ResourceDriver {
  readonly type = 'kubernetes' as const;
  // Enough to overlap round trips; the client-side rate limiter paces them.
  readonly parallelism = 8;
  readonly client: KubeClient;
  private readonly namespaces: DepartmentNamespaces;

  constructor(pool: DriverPool, options: KubeOptions = {}) {
    this.client = new KubeClient(pool.connection, options);
    this.namespaces = new DepartmentNamespaces(this.client);
  }

  async ensure(r: DriverResource): Promise<ObservedObject> {
    if (r.kind !== 'container')
      throw new DriverError('Invalid', `kubernetes pools run containers, not ${r.kind}`);
    const namespace = await this.namespaces.ensure(r.department);
    const name = objectName(r.id);
    const what = `deployment ${namespace}/${name}`;
    const deployment = await withConflictRetry(what, async () => {
      const current = await kubeOptional(what, () =>
        this.client.apps.readNamespacedDeployment({ name, namespace }),
      );
      const stopped = current?.metadata?.annotations?.[STOPPED_ANNOTATION] === 'true';
      const desired = buildDeployment(r, namespace, stopped);
      // Another worker created it between our read and our create: read again and compare.
      if (!current)
        return this.namespaces.createIn(namespace, what, () =>
          this.client.apps.createNamespacedDeployment({ namespace, body: desired }),
        );
      if (sameDeployment(current, desired)) return current;
      return this.client.apps.replaceNamespacedDeployment({
        name,
        namespace,
        body: mergeDeployment(current, desired),
      });
    });
    await this.ensureService(r, namespace);
    return observeDeployment(deployment);
  }

  start(r: DriverResource): Promise<ObservedObject> {
    return this.power(r, false);
  }

  stop(r: DriverResource): Promise<ObservedObject> {
    return this.power(r, true);
  }

  async delete(r: DriverResource): Promise<void> {
    const namespace = departmentNamespace(r.department);
    const name = objectName(r.id);
    await kubeOptional(`service ${namespace}/${name}`, () =>
      this.client.core.deleteNamespacedService({ name, namespace }),
    );
    // Background: the ReplicaSets and Pods go with it, without holding the job until they are gone.
    await kubeOptional(`deployment ${namespace}/${name}`, () =>
      this.client.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Background' }),
    );
  }

  async list(): Promise<ObservedObject[]> {
    const deployments = await listAll('deployments', this.client.pageSize, (page) =>
      this.client.apps.listDeploymentForAllNamespaces({ labelSelector: OURS_SELECTOR, ...page }),
    );
    return deployments.map(observeDeployment);
  }

  async close(): Promise<void> {
    // Nothing held: client-node opens connections per request.
  }

  private async power(r: DriverResource, stopped: boolean): Promise<ObservedObject> {
    const namespace = departmentNamespace(r.department);
    const name = objectName(r.id);
    const what = `deployment ${namespace}/${name}`;
    const deployment = await withConflictRetry(what, async () => {
      const current = await kubeOptional(what, () =>
        this.client.apps.readNamespacedDeployment({ name, namespace }),
      );
      if (!current) throw new DriverError('NotFound', `${what} does not exist`);
      const desired = buildDeployment(r, namespace, stopped);
      const body = mergeDeployment(current, {
        ...desired,
        spec: { ...desired.spec!, template: current.spec!.template },
      });
      if (sameDeployment(current, body)) return current;
      return this.client.apps.replaceNamespacedDeployment({ name, namespace, body });
    });
    return observeDeployment(deployment);
  }

  private async ensureService(r: DriverResource, namespace: string): Promise<void> {
    const name = objectName(r.id);
    const what = `service ${namespace}/${name}`;
    const desired = buildService(r, namespace);
    if (!desired) {
      await kubeOptional(what, () => this.client.core.deleteNamespacedService({ name, namespace }));
      return;
    }
    await withConflictRetry(what, async () => {
      const current = await kubeOptional(what, () =>
        this.client.core.readNamespacedService({ name, namespace }),
      );
      if (!current) {
        await this.namespaces.createIn(namespace, what, () =>
          this.client.core.createNamespacedService({ namespace, body: desired }),
        );
        return;
      }
      if (sameService(current, desired)) return;
      await this.client.core.replaceNamespacedService({
        name,
        namespace,
        body: mergeService(current, desired),
      });
    });
  }
}
