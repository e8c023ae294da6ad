import { invalid } from '../../common/errors.js';

/**
 * A month from 1900-01: Date.UTC reads the years 0–99 as 1900–1999, so "0099-12" would be billed with
 * 1999-12's usage under its own label. (The property tests meter months of the 1960s no other test uses.)
 */
export const PERIOD = /^(19\d\d|[2-9]\d{3})-(0[1-9]|1[0-2])$/;
export const PERIOD_MESSAGE = 'must be a month YYYY-MM from 1900-01';

/** A rebill period 'YYYY-MM': the month [from, end) in UTC. */
export interface Period {
  period: string;
  from: Date;
  end: Date;
  /** The month's length, which a month price is spread over. */
  monthMs: number;
}

export function parsePeriod(period: string, field = 'period'): Period {
  const match = PERIOD.exec(period);
  if (!match) throw invalid(field, PERIOD_MESSAGE);
  const from = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  const end = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
  return { period, from, end, monthMs: end.getTime() - from.getTime() };
}

export function shiftPeriod(period: string, months: number): string {
  const { from } = parsePeriod(period);
  return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + months, 1)).toISOString().slice(0, 7);
}
