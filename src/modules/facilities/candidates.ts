import type { AppConfig } from '../../config/config.js';

/**
 * Closure candidates (关停候选), by rules whose thresholds are configuration (ROOM_* variables):
 * small: fewer racks than ROOM_SMALL_MAX_RACKS or less floor area than ROOM_SMALL_MAX_AREA_M2;
 * energy-hungry: PUE above ROOM_MAX_PUE; under-used: utilisation below ROOM_MIN_UTILISATION_PERCENT;
 * poorly maintained: set by operators. A room with any flag is a candidate.
 */
export type CandidateFlag = 'small' | 'energy-hungry' | 'under-used' | 'poorly-maintained';

export interface RoomFacts {
  racks: number;
  floorAreaM2: number;
  pue: number | null;
  utilisationPercent: number | null;
  poorlyMaintained: boolean;
}

export type RoomThresholds = Pick<
  AppConfig,
  'ROOM_SMALL_MAX_RACKS' | 'ROOM_SMALL_MAX_AREA_M2' | 'ROOM_MAX_PUE' | 'ROOM_MIN_UTILISATION_PERCENT'
>;

export function candidateFlags(room: RoomFacts, t: RoomThresholds): CandidateFlag[] {
  const flags: CandidateFlag[] = [];
  if (room.racks < t.ROOM_SMALL_MAX_RACKS || room.floorAreaM2 < t.ROOM_SMALL_MAX_AREA_M2) flags.push('small');
  if (room.pue !== null && room.pue > t.ROOM_MAX_PUE) flags.push('energy-hungry');
  if (room.utilisationPercent !== null && room.utilisationPercent < t.ROOM_MIN_UTILISATION_PERCENT)
    flags.push('under-used');
  if (room.poorlyMaintained) flags.push('poorly-maintained');
  return flags;
}
