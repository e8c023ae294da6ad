import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_BACKOFF_MS, retryDelay } from './job-catalogue.js';

describe('retryDelay', () => {
  const policy = { backoffMs: 1000, maxBackoffMs: 30_000 };
  const mid = () => 0.5;

  it('doubles from the first delay', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(policy, n, mid))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('is capped', () => {
    expect(retryDelay(policy, 10, mid)).toBe(30_000);
    expect(retryDelay({ backoffMs: 1000 }, 30, mid)).toBe(DEFAULT_MAX_BACKOFF_MS);
  });

  it('jitters within ±20%', () => {
    expect(retryDelay(policy, 2, () => 0)).toBe(1600);
    expect(retryDelay(policy, 2, () => 1)).toBe(2400);
  });
});
