import type { V1Deployment, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import {
  departmentLabel,
  LABEL_DEPARTMENT,
  LABEL_RESOURCE_ID,
  objectName,
  resourceLabels,
} from '../naming.js';
import type { DriverResource, ObservedObject } from '../types.js';
import { cpuOf, cpuQuantity, gibOf, memoryQuantity, parseQuantity } from './quantity.js';

/** Set on a stopped Deployment (scaled to 0), so ensure keeps it stopped and start knows to scale up. */
export const STOPPED_ANNOTATION = 'govcloud.io/stopped';
export const GPU_RESOURCE = 'nvidia.com/gpu';
export const CONTAINER_NAME = 'app';

const replicasOf = (r: DriverResource) => r.spec.replicas ?? 1;

/** The Deployment for a resource; `stopped` keeps it at 0 replicas. */
export function buildDeployment(r: DriverResource, namespace: string, stopped: boolean): V1Deployment {
  const limits: Record<string, string> = {
    cpu: cpuQuantity(r.spec.vcpu),
    memory: memoryQuantity(r.spec.memoryGiB),
  };
  if (r.spec.gpu) limits[GPU_RESOURCE] = String(r.spec.gpu);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: objectName(r.id),
      namespace,
      labels: resourceLabels(r),
      annotations: stopped ? { [STOPPED_ANNOTATION]: 'true' } : {},
    },
    spec: {
      replicas: stopped ? 0 : replicasOf(r),
      selector: { matchLabels: { [LABEL_RESOURCE_ID]: r.id } },
      template: {
        metadata: {
          labels: { [LABEL_RESOURCE_ID]: r.id, [LABEL_DEPARTMENT]: departmentLabel(r.department) },
        },
        spec: {
          containers: [
            {
              name: CONTAINER_NAME,
              image: r.spec.image,
              // Requests equal limits: a department's quota then means exactly what it says.
              resources: { requests: limits, limits },
              ports: (r.spec.ports ?? []).map((containerPort) => ({ containerPort, protocol: 'TCP' })),
            },
          ],
        },
      },
    },
  };
}

/** What we set on a Deployment, read back in comparable form (the server adds defaults around it). */
function projection(d: V1Deployment) {
  const container = d.spec?.template?.spec?.containers?.find((c) => c.name === CONTAINER_NAME);
  const limits = container?.resources?.limits ?? {};
  const labels = d.metadata?.labels ?? {};
  return {
    stopped: d.metadata?.annotations?.[STOPPED_ANNOTATION] === 'true',
    replicas: d.spec?.replicas ?? 1,
    image: container?.image,
    cpu: cpuOf(limits.cpu),
    memory: gibOf(limits.memory),
    requests: [cpuOf(container?.resources?.requests?.cpu), gibOf(container?.resources?.requests?.memory)],
    gpu: parseQuantity(limits[GPU_RESOURCE]) ?? 0,
    ports: (container?.ports ?? []).map((p) => p.containerPort).sort(),
    templateLabels: d.spec?.template?.metadata?.labels ?? {},
    labels: Object.fromEntries(Object.entries(labels).sort()),
  };
}

export const sameDeployment = (current: V1Deployment, desired: V1Deployment) => {
  const have = projection(current);
  const want = projection(desired);
  // Labels others added (kubectl, policies) are theirs to keep: compare only the ones we set.
  const labels = Object.fromEntries(Object.keys(want.labels).map((key) => [key, have.labels[key]]));
  return isDeepStrictEqual({ ...have, labels }, want);
};

/** The current Deployment with our part replaced: keeps the immutable selector and others' fields. */
export function mergeDeployment(current: V1Deployment, desired: V1Deployment): V1Deployment {
  const annotations = { ...current.metadata?.annotations };
  delete annotations[STOPPED_ANNOTATION];
  return {
    ...current,
    metadata: {
      ...current.metadata,
      labels: { ...current.metadata?.labels, ...desired.metadata?.labels },
      annotations: { ...annotations, ...desired.metadata?.annotations },
    },
    spec: { ...current.spec!, replicas: desired.spec!.replicas, template: desired.spec!.template },
  };
}

/** What the resource's spec looks like on the Deployment (for tests and the drive script). */
export function deploymentSpec(d: V1Deployment) {
  const p = projection(d);
  return { vcpu: p.cpu ?? 0, memoryGiB: p.memory ?? 0, replicas: p.replicas, image: p.image };
}

export function observeDeployment(d: V1Deployment): ObservedObject {
  const labels = d.metadata?.labels ?? {};
  const base = {
    name: d.metadata?.name ?? '',
    resourceId: labels[LABEL_RESOURCE_ID] ?? '',
    department: labels[LABEL_DEPARTMENT],
  };
  if (d.metadata?.annotations?.[STOPPED_ANNOTATION] === 'true') return { ...base, phase: 'stopped' };
  // Until the controller has seen the latest spec, the status (a failure among it) is the old spec's: a
  // fixed image must not be reported as the broken one's ProgressDeadlineExceeded.
  const generation = d.metadata?.generation ?? 0;
  if ((d.status?.observedGeneration ?? 0) < generation)
    return { ...base, phase: 'pending', detail: `generation ${generation} not yet observed` };
  const conditions = d.status?.conditions ?? [];
  const failure =
    conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True') ??
    conditions.find((c) => c.type === 'Progressing' && c.status === 'False');
  if (failure) return { ...base, phase: 'failed', detail: `${failure.reason}: ${failure.message}` };
  // Done as `kubectl rollout status` has it: every replica of the new template, none of the old, all available.
  const wanted = d.spec?.replicas ?? 1;
  const { replicas = 0, updatedReplicas = 0, availableReplicas = 0 } = d.status ?? {};
  if (updatedReplicas >= wanted && replicas <= updatedReplicas && availableReplicas >= updatedReplicas)
    return { ...base, phase: 'running' };
  return {
    ...base,
    phase: 'pending',
    detail: `${updatedReplicas}/${wanted} replicas updated, ${availableReplicas} available, ${replicas - updatedReplicas} old`,
  };
}

/** The Service exposing a resource's ports; none when it has no ports (a Service needs one). */
export function buildService(r: DriverResource, namespace: string): V1Service | undefined {
  const ports = r.spec.ports ?? [];
  if (ports.length === 0) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: objectName(r.id), namespace, labels: resourceLabels(r) },
    spec: {
      selector: { [LABEL_RESOURCE_ID]: r.id },
      ports: ports.map((port) => ({ name: `tcp-${port}`, port, targetPort: port, protocol: 'TCP' })),
    },
  };
}

const portKey = (ports: V1ServicePort[] = []) =>
  ports.map((p) => `${p.name}:${p.port}:${String(p.targetPort ?? p.port)}`).sort();

export const sameService = (current: V1Service, desired: V1Service) =>
  isDeepStrictEqual(portKey(current.spec?.ports), portKey(desired.spec?.ports)) &&
  isDeepStrictEqual(current.spec?.selector, desired.spec?.selector);

/** The current Service with our ports and selector: keeps clusterIP and what the server assigned. */
export function mergeService(current: V1Service, desired: V1Service): V1Service {
  return {
    ...current,
    metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...desired.metadata?.labels } },
    spec: { ...current.spec, selector: desired.spec!.selector, ports: desired.spec!.ports },
  };
}
