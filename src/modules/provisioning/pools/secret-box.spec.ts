import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../../config/config.js';
import { SecretBox } from './secret-box.js';

const box = (key = randomBytes(32).toString('hex')) => new SecretBox({ SECRET_KEY: key } as AppConfig);

describe('SecretBox', () => {
  it('round-trips, and never stores the plaintext', () => {
    const b = box();
    const sealed = b.seal('{"uri":"qemu+ssh://root:hunter2@host/system"}', 'pool-1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('hunter2');
    expect(b.open(sealed, 'pool-1')).toBe('{"uri":"qemu+ssh://root:hunter2@host/system"}');
  });

  it('uses a fresh nonce each time', () => {
    const b = box();
    expect(b.seal('same', 'p')).not.toBe(b.seal('same', 'p'));
  });

  it('refuses another owner, another key and a tampered ciphertext', () => {
    const key = randomBytes(32).toString('hex');
    const sealed = box(key).seal('secret', 'pool-1');
    expect(() => box(key).open(sealed, 'pool-2')).toThrow();
    expect(() => box().open(sealed, 'pool-1')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => box(key).open(`v1:${raw.toString('base64')}`, 'pool-1')).toThrow();
  });
});
