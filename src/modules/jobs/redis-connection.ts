import type { RedisOptions } from 'bullmq';

/** ioredis options from a redis:// URL; BullMQ builds its own connections from these. */
export function redisOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number.parseInt(parsed.port || '6379', 10),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number.parseInt(parsed.pathname.slice(1), 10) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // Keep reconnecting after a Redis restart instead of giving up.
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
}
