import { DomainError, ErrorCode, invalid } from '../../common/errors.js';
import {
  QUOTA_DIMENSIONS,
  QUOTA_MAX,
  zeroAmounts,
  type QuotaAmounts,
  type QuotaDimension,
} from './quota-dimensions.js';

export type PartialAmounts = Partial<Record<QuotaDimension, number>>;

/**
 * Checks amounts handed to the service by other capabilities (the API validates its DTOs itself):
 * known dimensions only, whole numbers from 0 to QUOTA_MAX. Answers the given dimensions only.
 */
export function checkAmounts(amounts: unknown, field: string): PartialAmounts {
  if (typeof amounts !== 'object' || amounts === null || Array.isArray(amounts))
    throw invalid(field, 'must be an object of quota dimensions');
  const out: PartialAmounts = {};
  for (const [key, value] of Object.entries(amounts)) {
    if (value === undefined) continue;
    if (!(QUOTA_DIMENSIONS as readonly string[]).includes(key))
      throw invalid(`${field}.${key}`, `unknown quota dimension (known: ${QUOTA_DIMENSIONS.join(', ')})`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > QUOTA_MAX)
      throw invalid(`${field}.${key}`, `must be a whole number from 0 to ${QUOTA_MAX}`);
    out[key as QuotaDimension] = value;
  }
  return out;
}

export const fill = (partial: PartialAmounts): QuotaAmounts => ({ ...zeroAmounts(), ...partial });

/** What a department's row says, in amounts: its limit, its own use, and what it has handed to children. */
export interface QuotaState {
  limits: QuotaAmounts;
  used: QuotaAmounts;
  allocated: QuotaAmounts;
}

export const availableOf = (state: QuotaState, d: QuotaDimension) =>
  state.limits[d] - state.used[d] - state.allocated[d];

/** The first dimension (in the fixed order) where asking `asked` more does not fit, if any. */
export function firstExceeded(state: QuotaState, asked: PartialAmounts): QuotaDimension | undefined {
  return QUOTA_DIMENSIONS.find((d) => (asked[d] ?? 0) > 0 && (asked[d] ?? 0) > availableOf(state, d));
}

/** 409 QuotaExceeded naming the dimension, the amount asked, the limit and the current use. */
export function quotaExceeded(
  department: { id: string; code?: string },
  d: QuotaDimension,
  asked: number,
  state: QuotaState,
  what = 'asked',
): DomainError {
  const name = department.code ?? department.id;
  const allocated = state.allocated[d];
  return new DomainError(
    ErrorCode.QuotaExceeded,
    `${d}: ${what} ${asked}, but department ${name} has limit ${state.limits[d]}, used ${state.used[d]}` +
      (allocated > 0 ? `, allocated to child departments ${allocated}` : '') +
      `, available ${availableOf(state, d)}`,
    {
      dimension: d,
      asked,
      limit: state.limits[d],
      used: state.used[d],
      allocatedToChildren: allocated,
      available: availableOf(state, d),
      departmentId: department.id,
    },
  );
}

/** Checked amounts that name at least one dimension (an empty change is a client's mistake). */
export function requireSome(amounts: unknown, field: string): PartialAmounts {
  const checked = checkAmounts(amounts, field);
  if (Object.keys(checked).length === 0) throw invalid(field, 'name at least one quota dimension');
  return checked;
}
