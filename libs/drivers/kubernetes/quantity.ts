/**
 * Kubernetes resource quantities, as far as the drivers write and read them. kube-apiserver answers
 * quantities in canonical form ("1000m" comes back as "1", "1024Mi" as "1Gi"), so the drivers compare
 * numbers, never strings.
 */
const SUFFIXES: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

export function parseQuantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const match = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value.trim());
  if (!match) return undefined;
  return Number.parseFloat(match[1]) * SUFFIXES[match[2] ?? ''];
}

/** CPUs as millicores ("500m", "2000m"). */
export const cpuQuantity = (vcpu: number) => `${Math.round(vcpu * 1000)}m`;

/** GiB as MiB, so fractions survive ("512Mi" for 0.5). */
export const memoryQuantity = (gib: number) => `${Math.round(gib * 1024)}Mi`;

export const cpuOf = (value: string | number | undefined) => {
  const n = parseQuantity(value);
  return n === undefined ? undefined : Math.round(n * 1000) / 1000;
};

export const gibOf = (value: string | number | undefined) => {
  const n = parseQuantity(value);
  return n === undefined ? undefined : Math.round((n / 2 ** 30) * 1024) / 1024;
};
