import { describe, expect, it } from '@jest/globals';
import { Decimal } from 'decimal.js';
import { monthsInForce, roomBudgetInYear } from './room-budget.js';

const room = (closedOn: string | null) => ({
  annualOm: new Decimal('100000.50'),
  closedOn,
  leases: [
    { monthlyFee: '1000.00', contractStart: '2020-01-01', contractEnd: '2025-03-01' },
    { monthlyFee: '10.01', contractStart: '2025-11-30', contractEnd: '2030-01-01' },
  ],
});
const text = (b: ReturnType<typeof roomBudgetInYear>) => [b.drawn, b.stopped, b.leaseCarryover].map(String);

describe('a room’s O&M budget in a fiscal year', () => {
  it('is drawn in full by an open room and through the year a room closes', () => {
    expect(text(roomBudgetInYear(room(null), 2025))).toEqual(['100000.5', '0', '0']);
    expect(text(roomBudgetInYear(room('2025-12-31'), 2025))).toEqual(['100000.5', '0', '0']);
  });

  it('stops from 1 January after closure; leases still draw each month they are in force', () => {
    // Closed 2024: 2025 has three months of the first lease (to 1 March) and two of the second.
    expect(text(roomBudgetInYear(room('2024-06-30'), 2025))).toEqual(['3020.02', '100000.5', '3020.02']);
    expect(text(roomBudgetInYear(room('2024-06-30'), 2031))).toEqual(['0', '100000.5', '0']);
  });

  it('counts a month a contract touches on any day', () => {
    const lease = (contractStart: string, contractEnd: string) =>
      monthsInForce({ contractStart, contractEnd }, 2025);
    expect(lease('2025-01-31', '2025-02-01')).toBe(2);
    expect(lease('2024-01-01', '2024-12-31')).toBe(0);
    expect(lease('2020-01-01', '2030-01-01')).toBe(12);
    expect(lease('2025-12-31', '2026-01-01')).toBe(1);
  });
});
