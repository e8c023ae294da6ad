/** What a pool has room for. Quota's publicIp and instances are policy, not hardware, so pools do not count them. */
export const CAPACITY_DIMENSIONS = ['vcpu', 'memoryGiB', 'storageGiB', 'gpu'] as const;
export type CapacityDimension = (typeof CAPACITY_DIMENSIONS)[number];
export type Capacity = Record<CapacityDimension, number>;

export const zeroCapacity = (): Capacity => ({ vcpu: 0, memoryGiB: 0, storageGiB: 0, gpu: 0 });

/** Reads a stored or submitted object; a dimension not named is zero (a pool without GPUs has gpu 0). */
export function capacityOf(value: Partial<Capacity> | null | undefined): Capacity {
  const out = zeroCapacity();
  for (const d of CAPACITY_DIMENSIONS) out[d] = value?.[d] ?? 0;
  return out;
}

export function plus(a: Capacity, b: Partial<Capacity>, sign = 1): Capacity {
  const out = zeroCapacity();
  for (const d of CAPACITY_DIMENSIONS) out[d] = a[d] + sign * (b[d] ?? 0);
  return out;
}

export const minus = (a: Capacity, b: Partial<Capacity>) => plus(a, b, -1);

/** What `n` of the same take together. */
export const times = (c: Capacity, n: number) => plus(zeroCapacity(), c, n);

/** The first dimension in which `asked` does not fit into `free`, or undefined when all fit. */
export function firstShort(free: Capacity, asked: Partial<Capacity>): CapacityDimension | undefined {
  return CAPACITY_DIMENSIONS.find((d) => (asked[d] ?? 0) > 0 && (asked[d] ?? 0) > free[d]);
}
