import { describe, expect, it } from '@jest/globals';
import { candidateFlags } from './candidates.js';

const thresholds = {
  ROOM_SMALL_MAX_RACKS: 10,
  ROOM_SMALL_MAX_AREA_M2: 100,
  ROOM_MAX_PUE: 2,
  ROOM_MIN_UTILISATION_PERCENT: 30,
};
const big = { racks: 40, floorAreaM2: 500, pue: 1.5, utilisationPercent: 70, poorlyMaintained: false };

describe('closure candidate flags', () => {
  it('flags each rule on its own and none for a good room', () => {
    expect(candidateFlags(big, thresholds)).toEqual([]);
    expect(candidateFlags({ ...big, racks: 9 }, thresholds)).toEqual(['small']);
    expect(candidateFlags({ ...big, floorAreaM2: 99.5 }, thresholds)).toEqual(['small']);
    expect(candidateFlags({ ...big, pue: 2.01 }, thresholds)).toEqual(['energy-hungry']);
    expect(candidateFlags({ ...big, pue: 2 }, thresholds)).toEqual([]);
    expect(candidateFlags({ ...big, utilisationPercent: 29 }, thresholds)).toEqual(['under-used']);
    expect(candidateFlags({ ...big, poorlyMaintained: true }, thresholds)).toEqual(['poorly-maintained']);
  });

  it('follows the configured thresholds', () => {
    expect(candidateFlags({ ...big, racks: 30 }, { ...thresholds, ROOM_SMALL_MAX_RACKS: 50 })).toEqual([
      'small',
    ]);
    expect(candidateFlags({ ...big, pue: null, utilisationPercent: null }, thresholds)).toEqual([]);
  });
});
