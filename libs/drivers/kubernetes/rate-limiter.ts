import { setTimeout as sleep } from 'node:timers/promises';

export interface RateLimit {
  /** Sustained requests per second. */
  qps: number;
  /** Requests allowed at once after a quiet spell. */
  burst: number;
}

/** client-go's defaults are 5/10; ours are a little higher because a reconciler lists in pages. */
export const DEFAULT_KUBE_RATE_LIMIT: RateLimit = { qps: 20, burst: 40 };

/**
 * A token bucket with reservations, as client-go's flowcontrol limiter: each caller takes a token now
 * or reserves the next one and waits for it, so waiters are served in arrival order and the sustained
 * rate never exceeds qps, however many callers there are.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(limit.qps > 0) || !(limit.burst >= 1)) throw new Error('rate limit needs qps > 0 and burst ≥ 1');
    this.tokens = limit.burst;
    this.last = this.now();
  }

  /** Takes a token and answers how many milliseconds the caller must wait before using it. */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.limit.qps) * 1000;
  }

  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await sleep(wait);
  }
}

// One bucket per API server for the whole process: every driver of every pool on that server shares it.
const buckets = new Map<string, TokenBucket>();

export function limiterFor(server: string, limit: RateLimit = DEFAULT_KUBE_RATE_LIMIT): TokenBucket {
  let bucket = buckets.get(server);
  if (!bucket || bucket.limit.qps !== limit.qps || bucket.limit.burst !== limit.burst) {
    bucket = new TokenBucket(limit);
    buckets.set(server, bucket);
  }
  return bucket;
}
