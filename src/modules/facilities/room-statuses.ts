// Without imports, so the web console bundles the same table (console/src/shared.ts).

/** A department server room (机房): closed once its systems have moved, or kept under unified management. */
export const ROOM_STATUSES = ['active', 'closure-planned', 'closing', 'closed', 'retained'] as const;
export type RoomStatus = (typeof ROOM_STATUSES)[number];

/**
 * Every allowed move, once. "closed" is reached only through POST /:id/close, which checks the hosts
 * and records the equipment; retained rooms may later be planned for closure after all.
 */
export const ROOM_TRANSITIONS: Record<RoomStatus, readonly RoomStatus[]> = {
  active: ['closure-planned', 'retained'],
  'closure-planned': ['closing', 'active', 'retained'],
  closing: ['closed', 'closure-planned'],
  closed: [],
  retained: ['closure-planned'],
};
