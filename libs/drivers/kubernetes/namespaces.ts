import type { V1ResourceQuota } from '@kubernetes/client-node';
import { DriverError } from '../errors.js';
import {
  departmentLabel,
  departmentNamespace,
  LABEL_DEPARTMENT,
  LABEL_MANAGED_BY,
  MANAGED_BY,
} from '../naming.js';
import type { DepartmentQuota, DriverResource } from '../types.js';
import {
  isAlreadyExists,
  isNamespaceTerminating,
  isNotFound,
  kube,
  kubeOptional,
  mergePatch,
  toDriverError,
  withConflictRetry,
  type KubeClient,
} from './kube-client.js';
import { cpuQuantity, memoryQuantity, parseQuantity } from './quantity.js';

export const QUOTA_NAME = 'govcloud-quota';

const terminating = (namespace: string, cause?: unknown) =>
  new DriverError('Unavailable', `namespace ${namespace} is being deleted; it is made again once gone`, {
    cause,
  });

/**
 * The ResourceQuota `hard` that mirrors a department's limits (per namespace, both drivers alike). On
 * requests only: a quota on limits makes every pod name its limits, and KubeVirt's launcher pods name none.
 */
export function quotaHard(quota: DepartmentQuota): Record<string, string> {
  const hard: Record<string, string> = {};
  if (quota.vcpu !== undefined) hard['requests.cpu'] = cpuQuantity(quota.vcpu);
  if (quota.memoryGiB !== undefined) hard['requests.memory'] = memoryQuantity(quota.memoryGiB);
  if (quota.storageGiB !== undefined) hard['requests.storage'] = memoryQuantity(quota.storageGiB);
  if (quota.gpu !== undefined) hard['requests.nvidia.com/gpu'] = String(quota.gpu);
  if (quota.instances !== undefined) {
    hard['count/deployments.apps'] = String(quota.instances);
    hard['count/virtualmachines.kubevirt.io'] = String(quota.instances);
  }
  return hard;
}

/** How long a quota found as wanted is taken to stay so: a steady ensure then costs no call for it. */
export const QUOTA_RECHECK_MS = 5 * 60_000;

const sameHard = (a: Record<string, string> = {}, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(b).every(([key, value]) => parseQuantity(a[key]) === parseQuantity(value));

/**
 * One namespace per department, labelled with the department, holding a ResourceQuota that mirrors
 * the department's limits. Namespaces known to exist are remembered, so a steady ensure costs no call.
 */
export class DepartmentNamespaces {
  private readonly known = new Set<string>();
  /** Per namespace, the quota last found or written as wanted, and when. */
  private readonly quotas = new Map<string, { hard: string; at: number }>();

  constructor(private readonly client: KubeClient) {}

  async ensure(department: DriverResource['department']): Promise<string> {
    const name = departmentNamespace(department);
    if (!this.known.has(name)) {
      const labels = { [LABEL_DEPARTMENT]: departmentLabel(department), [LABEL_MANAGED_BY]: MANAGED_BY };
      try {
        await this.client.core.createNamespace({ body: { metadata: { name, labels } } });
      } catch (error) {
        if (!isAlreadyExists(error)) throw toDriverError(error, `namespace ${name}`);
        // Made by someone else (or by us earlier): make sure it carries our labels.
        const existing = await kube(`namespace ${name}`, () =>
          this.client.core.patchNamespace({ name, body: { metadata: { labels } } }, mergePatch()),
        );
        // Being deleted (by an operator, say): nothing can be made in it until it is gone, after which
        // a retry makes it again.
        if (existing.status?.phase === 'Terminating') throw terminating(name);
      }
      this.known.add(name);
    }
    if (department.quota) {
      const hard = quotaHard(department.quota);
      const key = JSON.stringify(hard);
      const seen = this.quotas.get(name);
      if (seen?.hard !== key || Date.now() - seen.at > QUOTA_RECHECK_MS) {
        await this.ensureQuota(name, hard);
        this.quotas.set(name, { hard: key, at: Date.now() });
      }
    }
    return name;
  }

  /**
   * Runs a create of ours in the namespace: an object another worker made meanwhile is a Conflict (read
   * again and compare); a namespace gone or being deleted behind our back is forgotten, so the retry
   * makes it again, and the call is retryable.
   */
  async createIn<T>(namespace: string, what: string, create: () => Promise<T>): Promise<T> {
    try {
      return await create();
    } catch (error) {
      if (isAlreadyExists(error)) throw new DriverError('Conflict', `${what} created concurrently`);
      if (isNotFound(error) || isNamespaceTerminating(error)) {
        this.forget(namespace);
        throw isNotFound(error)
          ? new DriverError('Unavailable', `namespace ${namespace} is gone`, { cause: error })
          : terminating(namespace, error);
      }
      throw error;
    }
  }

  /** Forget a namespace that turned out to be gone (deleted behind our back). */
  forget(namespace: string): void {
    this.known.delete(namespace);
    this.quotas.delete(namespace);
  }

  private async ensureQuota(namespace: string, hard: Record<string, string>): Promise<void> {
    const what = `resourcequota ${namespace}/${QUOTA_NAME}`;
    await withConflictRetry(what, async () => {
      const current = await kubeOptional(what, () =>
        this.client.core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace }),
      );
      if (!current) {
        const body: V1ResourceQuota = {
          metadata: { name: QUOTA_NAME, namespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY } },
          spec: { hard },
        };
        // Created concurrently (a Conflict): go round again and compare with what is there.
        await this.createIn(namespace, what, () =>
          this.client.core.createNamespacedResourceQuota({ namespace, body }),
        );
        return;
      }
      if (sameHard(current.spec?.hard, hard)) return;
      current.spec = { ...current.spec, hard };
      await this.client.core.replaceNamespacedResourceQuota({ name: QUOTA_NAME, namespace, body: current });
    });
  }
}
