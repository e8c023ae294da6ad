import { isDeepStrictEqual } from 'node:util';
import { canonicalQuantities } from './quantity.js';

/** A field error, as kube-apiserver lists them in a 422's details.causes. */
export interface Cause {
  reason: 'FieldValueInvalid' | 'FieldValueRequired';
  message: string;
  field: string;
}

type Obj = Record<string, any>;

export interface Kind {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Built-in types drop kind/apiVersion from list items and keep status apart from spec. */
  builtin: boolean;
  /** Whether spec changes bump metadata.generation. */
  generation: boolean;
  /** A PUT without metadata.resourceVersion is allowed (most built-ins) or refused (custom resources). */
  unconditionalUpdate: boolean;
  nameRule: 'subdomain' | 'label';
  defaults?(object: Obj, server: { nextClusterIp(): string }): void;
  validate?(object: Obj): Cause[];
  /** On an update: fills in what the server allocated and the update left out; answers what it may not change. */
  updateCauses?(next: Obj, current: Obj): Cause[];
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const invalid = (field: string, value: unknown, why: string): Cause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${typeof value === 'string' ? JSON.stringify(value) : goValue(value)}: ${why}`,
  field,
});
const required = (field: string): Cause => ({
  reason: 'FieldValueRequired',
  message: 'Required value',
  field,
});

/** How Go's %#v prints the values these messages quote. */
function goValue(value: unknown): string {
  if (Array.isArray(value)) return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  if (value && typeof value === 'object') return goMap(value as Record<string, string>);
  return String(value);
}

/** Go prints a map's keys sorted. */
const goMap = (map: Record<string, string> | undefined) =>
  map === undefined
    ? 'map[string]string(nil)'
    : `map[string]string{${Object.keys(map)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(map[k])}`)
        .join(', ')}}`;

export function nameCauses(name: unknown, rule: Kind['nameRule']): Cause[] {
  if (typeof name !== 'string' || name === '') return [required('metadata.name')];
  if (rule === 'subdomain' && !(name.length <= 253 && SUBDOMAIN.test(name))) {
    return [
      invalid(
        'metadata.name',
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    ];
  }
  if (rule === 'label' && !(name.length <= 63 && LABEL.test(name))) {
    return [
      invalid(
        'metadata.name',
        name,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ),
    ];
  }
  return [];
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
export function labelCauses(labels: Obj | undefined, field = 'metadata.labels'): Cause[] {
  return Object.values(labels ?? {}).flatMap((value) =>
    typeof value === 'string' && value.length <= 63 && LABEL_VALUE.test(value)
      ? []
      : [
          invalid(
            field,
            value,
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
          ),
        ],
  );
}

function podTemplateDefaults(spec: Obj) {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const container of spec.containers ?? []) {
    container.resources ??= {};
    if (container.resources.requests)
      container.resources.requests = canonicalQuantities(container.resources.requests);
    if (container.resources.limits)
      container.resources.limits = canonicalQuantities(container.resources.limits);
    for (const port of container.ports ?? []) port.protocol ??= 'TCP';
    container.terminationMessagePath ??= '/dev/termination-log';
    container.terminationMessagePolicy ??= 'File';
    const tagged = typeof container.image === 'string' && /:[^/:]+$/.test(container.image);
    container.imagePullPolicy ??= tagged && !container.image.endsWith(':latest') ? 'IfNotPresent' : 'Always';
  }
}

const matches = (selector: Obj | undefined, labels: Obj | undefined) =>
  Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value);

export const KINDS: Kind[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    builtin: true,
    generation: false,
    unconditionalUpdate: true,
    nameRule: 'label',
    defaults(ns) {
      ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name };
      ns.spec = { finalizers: ['kubernetes'], ...ns.spec };
      ns.status = { phase: 'Active' };
    },
  },
  {
    group: '',
    version: 'v1',
    plural: 'resourcequotas',
    kind: 'ResourceQuota',
    namespaced: true,
    builtin: true,
    generation: false,
    unconditionalUpdate: true,
    nameRule: 'subdomain',
    defaults(quota) {
      quota.spec ??= {};
      quota.spec.hard = canonicalQuantities(quota.spec.hard);
      quota.status ??= {};
    },
  },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    kind: 'Service',
    namespaced: true,
    builtin: true,
    generation: false,
    unconditionalUpdate: true,
    nameRule: 'label',
    defaults(service, server) {
      const spec = (service.spec ??= {});
      spec.type ??= 'ClusterIP';
      spec.clusterIP ??= server.nextClusterIp();
      spec.clusterIPs ??= [spec.clusterIP];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.sessionAffinity ??= 'None';
      spec.internalTrafficPolicy ??= 'Cluster';
      for (const port of spec.ports ?? []) {
        port.protocol ??= 'TCP';
        port.targetPort ??= port.port;
      }
      service.status ??= { loadBalancer: {} };
    },
    validate(service) {
      return service.spec?.ports?.length ? [] : [required('spec.ports')];
    },
    updateCauses(next, current) {
      // An update that leaves the cluster IP out keeps the allocated one; one that changes it is refused.
      const spec = (next.spec ??= {});
      spec.clusterIP ||= current.spec.clusterIP;
      if (!spec.clusterIPs?.length)
        spec.clusterIPs =
          spec.clusterIP === current.spec.clusterIP ? current.spec.clusterIPs : [spec.clusterIP];
      return spec.clusterIPs[0] === current.spec.clusterIPs[0]
        ? []
        : [
            {
              reason: 'FieldValueInvalid',
              message: `Invalid value: ${goValue(spec.clusterIPs)}: may not change once set`,
              field: 'spec.clusterIPs[0]',
            },
          ];
    },
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    builtin: true,
    generation: true,
    unconditionalUpdate: true,
    nameRule: 'subdomain',
    defaults(deployment) {
      const spec = (deployment.spec ??= {});
      spec.replicas ??= 1;
      spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.template ??= {};
      spec.template.metadata = { creationTimestamp: null, ...spec.template.metadata };
      podTemplateDefaults((spec.template.spec ??= {}));
      deployment.status ??= {};
    },
    validate(deployment) {
      const spec = deployment.spec ?? {};
      const causes: Cause[] = [];
      if (typeof spec.replicas === 'number' && spec.replicas < 0) {
        causes.push(invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
      }
      const templateLabels = spec.template?.metadata?.labels;
      if (!spec.selector?.matchLabels || Object.keys(spec.selector.matchLabels).length === 0) {
        causes.push(required('spec.selector'));
      } else if (!matches(spec.selector.matchLabels, templateLabels)) {
        causes.push(
          invalid(
            'spec.template.metadata.labels',
            templateLabels,
            '`selector` does not match template `labels`',
          ),
        );
      }
      const containers = spec.template?.spec?.containers ?? [];
      if (containers.length === 0) causes.push(required('spec.template.spec.containers'));
      containers.forEach((c: Obj, i: number) => {
        if (!c.name) causes.push(required(`spec.template.spec.containers[${i}].name`));
        if (!c.image) causes.push(required(`spec.template.spec.containers[${i}].image`));
      });
      return causes;
    },
    updateCauses(next, current) {
      const selector = next.spec?.selector;
      if (isDeepStrictEqual(selector, current.spec.selector)) return [];
      const printed = selector
        ? `v1.LabelSelector{MatchLabels:${goMap(selector.matchLabels)}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`
        : 'null';
      return [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${printed}: field is immutable`,
          field: 'spec.selector',
        },
      ];
    },
  },
  {
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'virtualmachines',
    kind: 'VirtualMachine',
    namespaced: true,
    builtin: false,
    generation: true,
    unconditionalUpdate: false,
    nameRule: 'subdomain',
  },
];

/** "deployments.apps", "namespaces", "virtualmachines.kubevirt.io": how messages name a resource. */
export const qualified = (kind: Kind) => (kind.group ? `${kind.plural}.${kind.group}` : kind.plural);
export const apiVersionOf = (kind: Kind) => (kind.group ? `${kind.group}/${kind.version}` : kind.version);
