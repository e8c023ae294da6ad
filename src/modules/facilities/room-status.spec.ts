import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../common/errors.js';
import {
  budgetStopsOn,
  checkRoomTransition,
  leaseAction,
  ROOM_STATUSES,
  ROOM_TRANSITIONS,
  todayInChina,
} from './room-status.js';

describe('server room rules', () => {
  it.each(ROOM_STATUSES.flatMap((from) => ROOM_STATUSES.map((to) => [from, to] as const)))(
    '%s → %s follows the table',
    (from, to) => {
      const attempt = () => checkRoomTransition(from, to, true);
      if (ROOM_TRANSITIONS[from].includes(to)) expect(attempt).not.toThrow();
      else expect(attempt).toThrow(DomainError);
    },
  );

  it('reaches closed only through the close endpoint', () => {
    expect(() => checkRoomTransition('closing', 'closed')).toThrow(/close/);
  });

  it('stops the budget from 1 January of the year after closure, across year ends', () => {
    expect(budgetStopsOn('2026-12-31')).toBe('2027-01-01');
    expect(budgetStopsOn('2027-01-01')).toBe('2028-01-01');
    expect(budgetStopsOn('2026-06-15')).toBe('2027-01-01');
  });

  it('runs leases under three years to their end and adjusts longer ones', () => {
    expect(leaseAction('2024-03-01', '2027-02-28')).toBe('run-to-end');
    expect(leaseAction('2024-03-01', '2027-03-01')).toBe('adjust');
    expect(leaseAction('2020-01-01', '2025-12-31')).toBe('adjust');
    expect(leaseAction('2024-02-29', '2027-02-28')).toBe('run-to-end');
  });

  it("takes today's date in China: 20:00 UTC on 31 December is already the new year", () => {
    expect(todayInChina(new Date('2026-12-31T20:00:00Z'))).toBe('2027-01-01');
    expect(todayInChina(new Date('2026-12-31T15:59:00Z'))).toBe('2026-12-31');
  });
});
