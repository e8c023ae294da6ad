import { describe, expect, it } from '@jest/globals';
import { fromBodyParser, requireUtf8, unstorable } from './body.js';
import { ErrorCode } from './errors.js';

describe('unstorable strings', () => {
  it('accepts what PostgreSQL stores exactly, emoji and CJK included', () => {
    expect(
      unstorable({ name: '市公安局 😀', tags: ['a', { b: 'ç\u200d' }], n: 1, x: null }, ''),
    ).toBeUndefined();
  });

  it('names the field holding a NUL or a lone surrogate, however deep', () => {
    expect(unstorable({ name: 'a\u0000b' }, '')).toBe('name: must not contain the NUL character (U+0000)');
    expect(unstorable({ spec: { disks: [{ label: 'x\ud800' }] } }, '')).toBe(
      'spec.disks.0.label: is not valid Unicode (a lone surrogate)',
    );
    expect(unstorable({ a: '\udc00' }, '')).toMatch(/^a: is not valid Unicode/);
    expect(unstorable({ 'k\u0000': 1 }, '')).toBe(
      'k\u0000 (the key): must not contain the NUL character (U+0000)',
    );
  });

  it('keeps a well-formed surrogate pair', () => {
    expect(unstorable({ a: '\ud83d\ude00' }, '')).toBeUndefined();
  });
});

describe('body parser errors', () => {
  it('refuses bytes that are not UTF-8, with a 400', () => {
    expect(() => requireUtf8(null, null, Buffer.from('{"a":"é"}'))).not.toThrow();
    expect(() => requireUtf8(null, null, Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(
      expect.objectContaining({ status: 400, message: 'body: is not valid UTF-8' }),
    );
  });

  it('names the body or the header at fault', () => {
    expect(fromBodyParser({ type: 'entity.parse.failed', message: 'Unexpected end' })).toMatchObject({
      code: ErrorCode.InvalidInput,
      message: 'body: is not valid JSON (Unexpected end)',
    });
    expect(fromBodyParser({ type: 'entity.too.large' }).code).toBe(ErrorCode.PayloadTooLarge);
    expect(fromBodyParser({ type: 'charset.unsupported', message: 'unsupported charset "X"' })).toMatchObject(
      {
        code: ErrorCode.UnsupportedMediaType,
        message: expect.stringMatching(/^content-type: /),
      },
    );
    expect(fromBodyParser({ type: 'encoding.unsupported', message: 'x' }).message).toMatch(
      /^content-encoding: /,
    );
  });
});
