import { DriverError } from '../errors.js';
import {
  isNotFound,
  KubeClient,
  kubeOptional,
  mergePatch,
  toDriverError,
  withConflictRetry,
  type KubeOptions,
} from '../kubernetes/kube-client.js';
import { OURS_SELECTOR } from '../kubernetes/kubernetes-driver.js';
import { DepartmentNamespaces } from '../kubernetes/namespaces.js';
import { listAll } from '../kubernetes/paging.js';
import { departmentNamespace, objectName } from '../naming.js';
import type { DriverPool, DriverResource, ObservedObject, ResourceDriver } from '../types.js';
import {
  buildVirtualMachine,
  KUBEVIRT,
  mergeVirtualMachine,
  observeVirtualMachine,
  sameVirtualMachine,
  type RunStrategy,
  type VirtualMachine,
} from './virtual-machine.js';

/**
 * VMs on Kubernetes through KubeVirt: a kubevirt.io/v1 VirtualMachine named gc-<id> in the
 * department's namespace; start and stop set spec.runStrategy (Always / Halted) with a merge patch.
 * The pool's connection is a kubeconfig for a cluster with KubeVirt installed.
 */
export class KubevirtDriver implements ResourceDriver {
  readonly type = 'kubevirt' as const;
  // Enough to overlap round trips; the client-side rate limiter paces them.
  readonly parallelism = 8;
  readonly client: KubeClient;
  private readonly namespaces: DepartmentNamespaces;

  constructor(pool: DriverPool, options: KubeOptions = {}) {
    this.client = new KubeClient(pool.connection, options);
    this.namespaces = new DepartmentNamespaces(this.client);
  }

  async ensure(r: DriverResource): Promise<ObservedObject> {
    if (r.kind !== 'vm') throw new DriverError('Invalid', `kubevirt pools run VMs, not ${r.kind}`);
    const namespace = await this.namespaces.ensure(r.department);
    const name = objectName(r.id);
    const what = `virtualmachine ${namespace}/${name}`;
    const vm = await withConflictRetry(what, async () => {
      const current = await this.read(namespace, name);
      if (!current) {
        const desired = buildVirtualMachine(r, namespace, 'Always');
        return (await this.namespaces.createIn(namespace, what, () =>
          this.client.custom.createNamespacedCustomObject({ ...KUBEVIRT, namespace, body: desired }),
        )) as VirtualMachine;
      }
      const desired = buildVirtualMachine(
        r,
        namespace,
        current.spec.runStrategy === 'Halted' ? 'Halted' : 'Always',
      );
      if (sameVirtualMachine(current, desired)) return current;
      // A replace carries the resourceVersion we read: a concurrent writer makes it a 409 Conflict.
      return (await this.client.custom.replaceNamespacedCustomObject({
        ...KUBEVIRT,
        namespace,
        name,
        body: mergeVirtualMachine(current, desired),
      })) as VirtualMachine;
    });
    return observeVirtualMachine(vm);
  }

  start(r: DriverResource): Promise<ObservedObject> {
    return this.run(r, 'Always');
  }

  stop(r: DriverResource): Promise<ObservedObject> {
    return this.run(r, 'Halted');
  }

  async delete(r: DriverResource): Promise<void> {
    const namespace = departmentNamespace(r.department);
    const name = objectName(r.id);
    await kubeOptional(`virtualmachine ${namespace}/${name}`, () =>
      this.client.custom.deleteNamespacedCustomObject({
        ...KUBEVIRT,
        namespace,
        name,
        propagationPolicy: 'Background',
      }),
    );
  }

  async list(): Promise<ObservedObject[]> {
    const vms = await listAll<VirtualMachine>('virtualmachines', this.client.pageSize, (page) =>
      this.client.custom.listClusterCustomObject({ ...KUBEVIRT, labelSelector: OURS_SELECTOR, ...page }),
    );
    return vms.map(observeVirtualMachine);
  }

  async close(): Promise<void> {
    // Nothing held: client-node opens connections per request.
  }

  /** Sets the run strategy with a merge patch: no read first, no resourceVersion to conflict on. */
  private async run(r: DriverResource, runStrategy: RunStrategy): Promise<ObservedObject> {
    const namespace = departmentNamespace(r.department);
    const name = objectName(r.id);
    const what = `virtualmachine ${namespace}/${name}`;
    try {
      const vm = await this.client.custom.patchNamespacedCustomObject(
        { ...KUBEVIRT, namespace, name, body: { spec: { runStrategy } } },
        mergePatch(),
      );
      return observeVirtualMachine(vm as VirtualMachine);
    } catch (error) {
      if (isNotFound(error)) throw new DriverError('NotFound', `${what} does not exist`);
      throw toDriverError(error, what);
    }
  }

  private read(namespace: string, name: string): Promise<VirtualMachine | undefined> {
    return kubeOptional(`virtualmachine ${namespace}/${name}`, () =>
      this.client.custom.getNamespacedCustomObject({ ...KUBEVIRT, namespace, name }),
    );
  }
}
