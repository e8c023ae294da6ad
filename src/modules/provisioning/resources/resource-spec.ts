import { createHash } from 'node:crypto';
import { invalid } from '../../../common/errors.js';
import type { ResourceKind } from '../entities/pool.entity.js';
import type { ResourceSpec } from '../entities/resource.entity.js';
import type { PartialAmounts } from '../../quota/index.js';
import { capacityNeeds } from './placement.js';

/** What a spec takes from the department's quota: what it takes from the pool, and every replica is an instance. */
export function quotaNeeds(spec: ResourceSpec): PartialAmounts {
  return { ...capacityNeeds(spec), instances: spec.replicas ?? 1 };
}

/** Checks the parts of a spec that depend on the kind. */
export function checkSpec(kind: ResourceKind, spec: ResourceSpec): void {
  if (kind === 'vm' && (spec.replicas ?? 1) !== 1)
    throw invalid('spec.replicas', 'applies to containers only');
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const RESERVED_PREFIX = /^(govcloud\.io|app\.kubernetes\.io)\//;

/** Labels go onto the pool's objects, so they must be valid Kubernetes labels, and ours are reserved. */
export function checkLabels(labels: Record<string, unknown> | undefined): Record<string, string> {
  const entries = Object.entries(labels ?? {});
  if (entries.length > 32) throw invalid('labels', 'at most 32 labels');
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) throw invalid(`labels.${key}`, 'is not a valid label key');
    if (RESERVED_PREFIX.test(key))
      throw invalid(`labels.${key}`, 'govcloud.io/ and app.kubernetes.io/ are reserved');
    if (typeof value !== 'string' || !LABEL_VALUE.test(value))
      throw invalid(`labels.${key}`, 'must be a label value (up to 63 letters, digits, "-", "_", ".")');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** JSON with keys sorted at every level, so the same body hashes the same whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const requestHash = (body: unknown) => createHash('sha256').update(canonical(body)).digest('hex');

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key))
    throw invalid('Idempotency-Key', 'must be 1 to 200 printable ASCII characters');
  return key;
}
