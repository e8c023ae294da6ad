import { describe, expect, it } from '@jest/globals';
import { difficultyScore, suggestedStrategy, type DifficultyInput } from './difficulty.js';

const easy: DifficultyInput = {
  classification: 'non-classified',
  protectionLevel: 1,
  architecture: 'B/S',
  databases: [],
  middleware: [],
  specialDevices: [],
  dataVolumeGb: 10,
  userCount: 50,
  availability: 'standard',
  critical: false,
};

describe('difficulty score', () => {
  it('adds the documented points', () => {
    expect(difficultyScore(easy)).toBe(0);
    expect(difficultyScore({ ...easy, protectionLevel: 3, architecture: 'C/S', databases: ['Oracle'] })).toBe(
      16 + 10 + 2,
    );
    expect(difficultyScore({ ...easy, dataVolumeGb: 1000, availability: 'high', userCount: 20000 })).toBe(
      10 + 8 + 5,
    );
  });

  it('is capped at 100', () => {
    const hardest: DifficultyInput = {
      classification: 'classified',
      protectionLevel: 4,
      architecture: 'other',
      databases: ['a', 'b', 'c', 'd'],
      middleware: ['a', 'b', 'c', 'd', 'e'],
      specialDevices: ['加密机'],
      dataVolumeGb: 50000,
      userCount: 50000,
      availability: 'critical',
      critical: true,
    };
    expect(difficultyScore(hardest)).toBe(100);
  });

  it('suggests a strategy', () => {
    expect(suggestedStrategy(easy)).toBe('rehost');
    expect(suggestedStrategy({ ...easy, classification: 'classified' })).toBe('exempt-classified');
    expect(suggestedStrategy({ ...easy, userCount: 0 })).toBe('retire');
    expect(suggestedStrategy({ ...easy, specialDevices: ['CA'] })).toBe('relocate-device');
    expect(suggestedStrategy({ ...easy, specialDevices: ['CA'], architecture: 'other' })).toBe('hosting');
    expect(
      suggestedStrategy({
        ...easy,
        specialDevices: ['CA'],
        protectionLevel: 4,
        availability: 'critical',
        critical: true,
      }),
    ).toBe('hosting');
  });
});
