import { describe, expect, it } from '@jest/globals';
import { limiterFor, TokenBucket } from './rate-limiter.js';

describe('TokenBucket', () => {
  it('lets a burst through, then spaces callers at 1/qps in arrival order', () => {
    let now = 0;
    const bucket = new TokenBucket({ qps: 10, burst: 3 }, () => now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    // Three more at the same instant: each waits one more 100 ms slot than the one before.
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()].map(Math.round)).toEqual([100, 200, 300]);
    // After the reserved slots have passed and a quiet second, the burst is back (never above it).
    now = 1300;
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(Math.round(bucket.reserve())).toBe(100);
  });

  it('refills at qps between calls', () => {
    let now = 0;
    const bucket = new TokenBucket({ qps: 2, burst: 1 }, () => now);
    expect(bucket.reserve()).toBe(0);
    now = 250;
    expect(Math.round(bucket.reserve())).toBe(250);
    now = 1250;
    expect(bucket.reserve()).toBe(0);
  });

  it('take() waits for a reserved token', async () => {
    const bucket = new TokenBucket({ qps: 20, burst: 1 });
    const started = performance.now();
    await bucket.take();
    await bucket.take();
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('is shared per API server, and rejects a nonsensical limit', () => {
    expect(limiterFor('https://a.example:6443')).toBe(limiterFor('https://a.example:6443'));
    expect(limiterFor('https://a.example:6443')).not.toBe(limiterFor('https://b.example:6443'));
    expect(() => new TokenBucket({ qps: 0, burst: 1 })).toThrow(/qps/);
  });
});
