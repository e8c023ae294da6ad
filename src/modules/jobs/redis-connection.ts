import type { RedisOptions } from 'bullmq';
import type { Logger } from 'pino';

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

const REPEAT_LOG_MS = 60_000;

/**
 * Logs what a BullMQ queue or worker emits as 'error' without flooding the log: while Redis is away
 * every connection fails again on each reconnect attempt, several times a second per queue, so the same
 * message is logged again only after a minute, with how often it came meanwhile. Without a listener
 * BullMQ prints each one unstructured to stderr.
 */
export function logErrors(
  emitter: { on(event: 'error', listener: (error: Error) => void): unknown },
  log: Logger,
  what: string,
  fields: Record<string, unknown>,
): void {
  let last: { message: string; loggedAt: number; since: number } | undefined;
  emitter.on('error', (error) => {
    const now = Date.now();
    if (last?.message === error.message && now - last.loggedAt < REPEAT_LOG_MS) {
      last.since++;
      return;
    }
    const repeated = last?.message === error.message ? last.since : undefined;
    log.error({ ...fields, err: error, repeated }, what);
    last = { message: error.message, loggedAt: now, since: 0 };
  });
}
