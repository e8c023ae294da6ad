import type { DriverResource } from './types.js';

export const LABEL_RESOURCE_ID = 'govcloud.io/resource-id';
export const LABEL_DEPARTMENT = 'govcloud.io/department';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'govcloud';
export const NAME_PREFIX = 'gc-';

/** The deterministic name of everything made for a resource: a retried job finds its own object. */
export const objectName = (resourceId: string) => `${NAME_PREFIX}${resourceId}`;

/** The resource id back from an object name, or undefined when the name is not ours. */
export const resourceIdOf = (name: string) =>
  name.startsWith(NAME_PREFIX) ? name.slice(NAME_PREFIX.length) : undefined;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The department as a Kubernetes label value: its code when the code can be one (≤ 63 characters of
 * [A-Za-z0-9_.-]), otherwise its id, so that codes in Chinese or with spaces still label objects.
 */
export function departmentLabel(department: DriverResource['department']): string {
  return department.code.length <= 63 && LABEL_VALUE.test(department.code) ? department.code : department.id;
}

/** One namespace per department: gc-<code> when the code is a DNS label, else gc-<department id>. */
export function departmentNamespace(department: DriverResource['department']): string {
  const code = department.code;
  return code.length <= 60 && DNS_LABEL.test(code)
    ? `${NAME_PREFIX}${code}`
    : `${NAME_PREFIX}${department.id}`;
}

/** The caller's labels, then ours, which the caller cannot override. */
export function resourceLabels(r: DriverResource): Record<string, string> {
  return {
    ...r.labels,
    [LABEL_RESOURCE_ID]: r.id,
    [LABEL_DEPARTMENT]: departmentLabel(r.department),
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
}
