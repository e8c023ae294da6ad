/** The quota dimensions, in the fixed order used for checks, messages and columns. Integers only. */
export const QUOTA_DIMENSIONS = ['vcpu', 'memoryGiB', 'storageGiB', 'gpu', 'publicIp', 'instances'] as const;
export type QuotaDimension = (typeof QUOTA_DIMENSIONS)[number];
export type QuotaAmounts = Record<QuotaDimension, number>;

/** A department's quota as the API answers it (GET /departments/:id/quota; the web console reads it too). */
export interface QuotaView {
  departmentId: string;
  limits: QuotaAmounts;
  used: QuotaAmounts;
  allocatedToChildren: QuotaAmounts;
  available: QuotaAmounts;
}

/**
 * The largest amount a limit or a reservation may name: a million times a big city's cloud, and far
 * below 2^53, so sums of amounts stay exact in a JS number and in BIGINT.
 */
export const QUOTA_MAX = 1_000_000_000_000;

/** Column stem per dimension: `<stem>_limit`, `<stem>_used`, `<stem>_allocated` and the ledger's `<stem>`. */
export const COLUMN: Record<QuotaDimension, string> = {
  vcpu: 'vcpu',
  memoryGiB: 'memory_gib',
  storageGiB: 'storage_gib',
  gpu: 'gpu',
  publicIp: 'public_ip',
  instances: 'instances',
};

export const zeroAmounts = (): QuotaAmounts =>
  Object.fromEntries(QUOTA_DIMENSIONS.map((d) => [d, 0])) as QuotaAmounts;

/** Reads `<prefix><stem><suffix>` columns of a raw row (BIGINT arrives as text) into amounts. */
export function amountsOf(row: Record<string, unknown>, suffix = '', prefix = ''): QuotaAmounts {
  return Object.fromEntries(
    QUOTA_DIMENSIONS.map((d) => [d, Number(row[`${prefix}${COLUMN[d]}${suffix}`] ?? 0)]),
  ) as QuotaAmounts;
}
