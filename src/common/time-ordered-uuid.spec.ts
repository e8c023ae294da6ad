import { describe, expect, it } from '@jest/globals';
import { timeOrderedUuid } from './time-ordered-uuid.js';

describe('timeOrderedUuid', () => {
  it('is a UUIDv7 of the time given, with the RFC 9562 variant and random bits after the time', () => {
    const at = Date.UTC(2026, 11, 3, 9, 30, 0, 123);
    const ids = Array.from({ length: 1000 }, () => timeOrderedUuid(at));
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts by time, as text and as PostgreSQL compares uuids', () => {
    const ids = [0, 1, 255, 256, 65_536, Date.UTC(2026, 0, 1), Date.UTC(2100, 0, 1)].map(timeOrderedUuid);
    expect([...ids].sort()).toEqual(ids);
  });
});
