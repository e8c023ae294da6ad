import { Decimal } from 'decimal.js';
import type { ValueTransformer } from 'typeorm';

/**
 * Money and metered quantities are decimals, never JS numbers (money-lint.spec.ts enforces it).
 * A private Decimal constructor with 40 significant digits: products of NUMERIC(18,6) prices and
 * millisecond usage stay exact, and no other module's Decimal settings can change ours.
 */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Dec = Decimal;

/**
 * THE rounding rule (documented in README): each line's amount is rounded half-up to 0.01 CNY (one fen);
 * totals are sums of rounded lines and are never rounded again. ROUND_HALF_UP is half away from zero;
 * the SQL that prices lines (rebill-sql.ts roundedQuotient) rounds the same way, on the exact quotient.
 */
export function roundLine(amount: Decimal): Decimal {
  return amount.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** Displayed quantities (vcpu·hours, GiB·months) carry six decimals; amounts are computed from exact usage. */
export function roundQuantity(quantity: Decimal): Decimal {
  return quantity.toDecimalPlaces(6, Decimal.ROUND_HALF_UP);
}

export const ZERO = new Dec(0);

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const value of values) total = total.plus(value);
  return total;
}

/** Amounts in JSON and CSV: always two decimals, so equal sums print byte-identically. */
export function formatAmount(amount: Decimal): string {
  return amount.toFixed(2);
}

/** A unit price or amount as it may be typed: digits, optional sign-free fraction, at most 6 decimals. */
export const DECIMAL_STRING = /^(0|[1-9]\d{0,11})(\.\d{1,6})?$/;

/** An amount of money as typed: at most two decimals (fen). */
export const MONEY_STRING = /^(0|[1-9]\d{0,13})(\.\d{1,2})?$/;

export function parseDecimal(value: string): Decimal {
  if (!DECIMAL_STRING.test(value)) throw new Error(`not a decimal string: ${value}`);
  return new Dec(value);
}

/** NUMERIC columns come back from pg as strings; they become Decimals here and go back as strings. */
export const decimalTransformer: ValueTransformer = {
  to: (value: Decimal | string | null | undefined) =>
    value === null || value === undefined
      ? value
      : Decimal.isDecimal(value)
        ? value.toFixed()
        : String(value),
  from: (value: string | null) => (value === null ? null : new Dec(value)),
};
