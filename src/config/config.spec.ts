import { describe, expect, it } from '@jest/globals';
import { parseConfig } from './config.js';

const valid = {
  DATABASE_URL: 'postgres://u@localhost/db',
  REDIS_URL: 'redis://localhost:6379/0',
  JWT_SECRET: 'x'.repeat(32),
  SECRET_KEY: 'ab'.repeat(32),
};

describe('configuration', () => {
  it('accepts a valid environment and fills defaults', () => {
    const config = parseConfig({ ...valid, PORT: '8080' });
    expect(config.PORT).toBe(8080);
    expect(config.QUEUE_PREFIX).toBe('govcloud');
    // Above the 60 s idle timeout of nginx and the usual L7 load balancers.
    expect(config.HTTP_KEEP_ALIVE_MS).toBe(65_000);
  });

  it.each([
    [{ ...valid, DATABASE_URL: undefined }, 'Configuration error: DATABASE_URL is not set'],
    [{ ...valid, REDIS_URL: 'localhost' }, /^Configuration error: REDIS_URL must be a redis:\/\/ URL$/],
    [{ ...valid, PORT: 'eighty' }, /^Configuration error: PORT .*must be an integer number/],
    [
      { ...valid, SECRET_KEY: 'short' },
      'Configuration error: SECRET_KEY must be 64 hex characters (32 bytes)',
    ],
    [{ ...valid, JWT_SECRET: '' }, 'Configuration error: JWT_SECRET is not set'],
    [
      { ...valid, HTTP_KEEP_ALIVE_MS: '500' },
      /^Configuration error: HTTP_KEEP_ALIVE_MS must not be less than 1000/,
    ],
  ])('names the bad variable in one line', (env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });
});
