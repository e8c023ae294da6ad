import { invalid } from '../../common/errors.js';

export const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

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
  if (!match) throw invalid(field, 'must be a month YYYY-MM');
  const from = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  const end = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
  return { period, from, end, monthMs: end.getTime() - from.getTime() };
}

export function shiftPeriod(period: string, months: number): string {
  const { from } = parsePeriod(period);
  return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + months, 1)).toISOString().slice(0, 7);
}
