import { isDeepStrictEqual } from 'node:util';
import {
  departmentLabel,
  LABEL_DEPARTMENT,
  LABEL_RESOURCE_ID,
  objectName,
  resourceLabels,
} from '../naming.js';
import { gibOf, memoryQuantity } from '../kubernetes/quantity.js';
import type { DriverResource, ObservedObject } from '../types.js';

export const KUBEVIRT = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines' } as const;
export type RunStrategy = 'Always' | 'Halted';

/** A kubevirt.io/v1 VirtualMachine, as the drivers read and write it (custom objects are plain JSON). */
export interface VirtualMachine {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    [key: string]: unknown;
  };
  spec: {
    runStrategy?: string;
    template: { metadata?: { labels?: Record<string, string> }; spec: Record<string, any> };
    [key: string]: unknown;
  };
  status?: {
    /** Set by KubeVirt's VM controller (since v0.59) once it has acted on that generation of the spec. */
    observedGeneration?: number;
    printableStatus?: string;
    ready?: boolean;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** The VirtualMachine for a resource: the image as a containerDisk, storage as an empty data disk. */
export function buildVirtualMachine(
  r: DriverResource,
  namespace: string,
  runStrategy: RunStrategy,
): VirtualMachine {
  const disks: Record<string, unknown>[] = [{ name: 'root', disk: { bus: 'virtio' } }];
  const volumes: Record<string, unknown>[] = [{ name: 'root', containerDisk: { image: r.spec.image } }];
  if (r.spec.storageGiB > 0) {
    disks.push({ name: 'data', disk: { bus: 'virtio' } });
    volumes.push({ name: 'data', emptyDisk: { capacity: `${r.spec.storageGiB}Gi` } });
  }
  const devices: Record<string, unknown> = { disks };
  if (r.spec.gpu) {
    devices.gpus = Array.from({ length: r.spec.gpu }, (_, i) => ({
      name: `gpu${i}`,
      deviceName: 'nvidia.com/gpu',
    }));
  }
  return {
    apiVersion: `${KUBEVIRT.group}/${KUBEVIRT.version}`,
    kind: 'VirtualMachine',
    metadata: { name: objectName(r.id), namespace, labels: resourceLabels(r) },
    spec: {
      runStrategy,
      template: {
        metadata: {
          labels: { [LABEL_RESOURCE_ID]: r.id, [LABEL_DEPARTMENT]: departmentLabel(r.department) },
        },
        spec: {
          domain: {
            // KubeVirt counts whole cores.
            cpu: { cores: Math.max(1, Math.ceil(r.spec.vcpu)) },
            memory: { guest: memoryQuantity(r.spec.memoryGiB) },
            devices,
          },
          volumes,
        },
      },
    },
  };
}

/** What we set, in comparable form (quantities as numbers; the labels we own). */
function projection(vm: VirtualMachine, ownLabels: string[]) {
  const domain = vm.spec.template?.spec?.domain ?? {};
  return {
    cores: domain.cpu?.cores,
    memory: gibOf(domain.memory?.guest),
    devices: domain.devices,
    volumes: vm.spec.template?.spec?.volumes,
    templateLabels: vm.spec.template?.metadata?.labels,
    labels: ownLabels.map((key) => vm.metadata.labels?.[key]),
  };
}

export const sameVirtualMachine = (current: VirtualMachine, desired: VirtualMachine) => {
  const own = Object.keys(desired.metadata.labels ?? {});
  return isDeepStrictEqual(projection(current, own), projection(desired, own));
};

/** The current VM with our spec: keeps its run strategy, resourceVersion and others' fields. */
export function mergeVirtualMachine(current: VirtualMachine, desired: VirtualMachine): VirtualMachine {
  return {
    ...current,
    metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...desired.metadata.labels } },
    spec: { ...current.spec, template: desired.spec.template },
  };
}

export function virtualMachineSpec(vm: VirtualMachine) {
  const domain = vm.spec.template?.spec?.domain ?? {};
  return { vcpu: domain.cpu?.cores as number, memoryGiB: gibOf(domain.memory?.guest) ?? 0 };
}

// printableStatus values that mean the VM cannot come up without someone fixing something.
const FAILED = new Set([
  'CrashLoopBackOff',
  'ErrorUnschedulable',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrorPvcNotFound',
  'ErrorDataVolumeNotFound',
  'DataVolumeError',
]);

export function observeVirtualMachine(vm: VirtualMachine): ObservedObject {
  const labels = vm.metadata.labels ?? {};
  const base = {
    name: vm.metadata.name,
    resourceId: labels[LABEL_RESOURCE_ID] ?? '',
    department: labels[LABEL_DEPARTMENT],
  };
  if (vm.spec.runStrategy === 'Halted') return { ...base, phase: 'stopped' };
  // As with a Deployment: a failure reported of an older spec (an image since fixed) is not this one's.
  const generation = vm.metadata.generation ?? 0;
  const observed = vm.status?.observedGeneration;
  if (observed !== undefined && observed < generation)
    return { ...base, phase: 'pending', detail: `generation ${generation} not yet observed` };
  const printable = vm.status?.printableStatus;
  if (printable && FAILED.has(printable)) {
    const failure = vm.status?.conditions?.find((c) => c.status === 'False' && c.message);
    return {
      ...base,
      phase: 'failed',
      detail: failure?.message ? `${printable}: ${failure.message}` : printable,
    };
  }
  if (printable === 'Running' && vm.status?.ready) return { ...base, phase: 'running' };
  return { ...base, phase: 'pending', detail: printable ?? 'not yet scheduled' };
}
