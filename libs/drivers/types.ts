/**
 * The one interface every pool driver implements, and the shapes it speaks.
 *
 * Contract (every driver runs libs/drivers/testing/driver-contract.ts):
 * - Every call is idempotent and may be retried at any time, from any process: names are derived
 *   from the resource id (`gc-<id>`), so a retried job finds its own work instead of doing it twice.
 * - ensure(r) makes the object exist with r's spec and answers what is there. It never fails because
 *   the object already exists; it applies a changed spec (resize); it never changes the power state
 *   of an object that exists (a new object starts running).
 * - start(r) / stop(r) change the power state of an existing object; on a missing one they throw
 *   DriverError 'NotFound' so the caller can ensure first.
 * - delete(r) removes everything the driver made for r; deleting what is absent succeeds.
 * - list() answers every object on the pool carrying our labels (one list call per kind, by label
 *   selector, never one get per object), including ones the caller no longer knows (orphans).
 * - Failures are DriverError with `retryable` telling a retry could help.
 * - close() releases connections; the driver is unusable afterwards.
 */
export const POOL_TYPES = ['kubernetes', 'kubevirt', 'libvirt', 'fake'] as const;
export type PoolType = (typeof POOL_TYPES)[number];

/** What createDriver needs from a pool; `connection` is the decrypted secret (kubeconfig, URI, JSON). */
export interface DriverPool {
  id: string;
  type: PoolType;
  connection: string;
}

export type ResourceKind = 'vm' | 'container';

/** vcpu, memory and GPUs are per instance: per replica for containers (as Kubernetes counts them). */
export interface ResourceSpec {
  vcpu: number;
  memoryGiB: number;
  storageGiB: number;
  gpu?: number;
  image: string;
  /** Containers only; 1 when absent. */
  replicas?: number;
  ports?: number[];
}

/**
 * A department's limits, where the pool mirrors them (the kubernetes and kubevirt drivers keep a
 * ResourceQuota in the department's namespace); absent dimensions are left unlimited.
 */
export interface DepartmentQuota {
  vcpu?: number;
  memoryGiB?: number;
  storageGiB?: number;
  gpu?: number;
  instances?: number;
}

export interface DriverResource {
  id: string;
  kind: ResourceKind;
  department: { id: string; code: string; quota?: DepartmentQuota };
  spec: ResourceSpec;
  /** The caller's own labels; the driver adds govcloud.io/resource-id and govcloud.io/department. */
  labels?: Record<string, string>;
}

export type ObservedPhase = 'running' | 'stopped' | 'pending' | 'failed';

export interface ObservedObject {
  /** gc-<resource id> */
  name: string;
  resourceId: string;
  phase: ObservedPhase;
  /** The department label the object carries (code, or id when the code cannot be a label value). */
  department?: string;
  detail?: string;
}

export interface ResourceDriver {
  readonly type: PoolType;
  /** Calls a worker makes on the pool at once: as many as its API or host takes without harm. */
  readonly parallelism: number;
  ensure(r: DriverResource): Promise<ObservedObject>;
  start(r: DriverResource): Promise<ObservedObject>;
  stop(r: DriverResource): Promise<ObservedObject>;
  delete(r: DriverResource): Promise<void>;
  list(): Promise<ObservedObject[]>;
  close(): Promise<void>;
}
