import { DomainError, ErrorCode } from '../../common/errors.js';
import { ROOM_TRANSITIONS, type RoomStatus } from './room-statuses.js';

export { ROOM_STATUSES, ROOM_TRANSITIONS, type RoomStatus } from './room-statuses.js';

export function checkRoomTransition(from: RoomStatus, to: RoomStatus, viaClose = false): void {
  const allowed = ROOM_TRANSITIONS[from];
  if (!allowed.includes(to))
    throw new DomainError(
      ErrorCode.InvalidTransition,
      `to: ${from} → ${to} is not allowed (allowed from ${from}: ${allowed.join(', ') || 'none'})`,
      { from, to, allowed },
    );
  if (to === 'closed' && !viaClose)
    throw new DomainError(
      ErrorCode.InvalidTransition,
      'to: close a room with POST /api/v1/server-rooms/:id/close',
      {
        from,
        to,
      },
    );
}

/** Hosts that no longer hold a room open: moved to the cloud, archived, or retired (relocated ones left the room). */
export const HOST_DONE = ['migrated', 'archived', 'retired', 'exempted'];
/** Systems that no longer hold a room open; classified ones go to the internal network (exempted). */
export const SYSTEM_DONE = ['migrated', 'archived', 'retired', 'exempted'];

/** Finance stops a closed room's O&M budget from 1 January of the next year (来年不再拨付). */
export function budgetStopsOn(closedOn: string): string {
  return `${Number(closedOn.slice(0, 4)) + 1}-01-01`;
}

/** Leases under three years run to their end; longer ones are adjusted. None is renewed after closure. */
export function leaseAction(contractStart: string, contractEnd: string): 'run-to-end' | 'adjust' {
  const start = new Date(`${contractStart}T00:00:00Z`);
  const threeYears = new Date(Date.UTC(start.getUTCFullYear() + 3, start.getUTCMonth(), start.getUTCDate()));
  return new Date(`${contractEnd}T00:00:00Z`) < threeYears ? 'run-to-end' : 'adjust';
}

/** The city's time zone: every date a user enters or reads (closures, targets, report days) is a day here. */
export const CITY_TIME_ZONE = 'Asia/Shanghai';

/** Today in the city's time zone (China Standard Time): closure dates are local calendar days. */
export function todayInChina(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: CITY_TIME_ZONE }).format(now);
}

/**
 * SQL for the instant the city's calendar day `day` (an SQL date expression) ends, so a timestamp strictly
 * before it happened on or before that day. Timestamps are stored in UTC, whose day ends at 08:00 in the
 * city: cutting there would count a system migrated at 07:30 on 1 January in 31 December's figures.
 */
export function endOfChinaDaySql(day: string): string {
  return `(((${day})::date + 1)::timestamp AT TIME ZONE '${CITY_TIME_ZONE}')`;
}
