import { Decimal } from 'decimal.js';
import { budgetStopsOn } from './room-status.js';

export interface RoomBudgetInput {
  /** The room's annual O&M cost (the sum of its cost parts), CNY. */
  annualOm: Decimal;
  /** Set when the room is closed: the local day it closed. */
  closedOn: string | null;
  leases: Array<{ monthlyFee: string; contractStart: string; contractEnd: string }>;
}

export interface RoomBudgetYear {
  /** What the room still draws in the year: its whole annual O&M, or, once stopped, its running leases. */
  drawn: Decimal;
  /** The annual O&M finance no longer appropriates in the year (the budget stop after closure). */
  stopped: Decimal;
  /** Lease fees still payable in a year whose budget is stopped (leases are not cut short by closure). */
  leaseCarryover: Decimal;
}

/**
 * A room's O&M budget in fiscal year `year`. The O&M budget is a yearly appropriation: a room draws
 * all of it every year up to and including the year it closes, and none of it from 1 January after
 * (budgetStopsOn). Its network leases are not renewed but run to their contract end (leases to be
 * adjusted count to their recorded end too, until someone records the adjusted end), so in a stopped
 * year each lease still costs its monthly fee for every month of the year it is in force on any day.
 * Every figure is a sum of whole-fen amounts times whole months: exact, nothing to round.
 */
export function roomBudgetInYear(room: RoomBudgetInput, year: number): RoomBudgetYear {
  const zero = new Decimal(0);
  if (room.closedOn === null || budgetStopsOn(room.closedOn) > `${year}-01-01`)
    return { drawn: room.annualOm, stopped: zero, leaseCarryover: zero };
  const leaseCarryover = room.leases.reduce(
    (total, lease) => total.plus(new Decimal(lease.monthlyFee).times(monthsInForce(lease, year))),
    zero,
  );
  return { drawn: leaseCarryover, stopped: room.annualOm, leaseCarryover };
}

/** Months of `year` in which the contract [start, end] (inclusive days) is in force on at least one day. */
export function monthsInForce(lease: { contractStart: string; contractEnd: string }, year: number): number {
  let months = 0;
  for (let m = 1; m <= 12; m++) {
    const first = `${year}-${String(m).padStart(2, '0')}-01`;
    const last = `${year}-${String(m).padStart(2, '0')}-31`; // compared as text: later than any day of the month
    if (lease.contractStart <= last && lease.contractEnd >= first) months++;
  }
  return months;
}
