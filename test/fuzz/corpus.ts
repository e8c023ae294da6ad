// Hostile and awkward values the fuzzer mixes into requests. Every string here is storable (no NUL, no
// lone surrogate), so where the API accepts one it must give it back byte for byte; the unstorable ones
// are in UNSTORABLE and must be refused by name.

const KB = 1024;

export const NASTY_STRINGS: string[] = [
  '',
  ' ',
  '\t\n\r',
  '市公安局',
  '𠀀𪚥𰻞', // CJK extension B/C/G: astral plane, surrogate pairs in UTF-16
  '😀👨‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0308\u0327', // combining marks
  '\u202eabc\u202c', // right-to-left override
  'مرحبا بالعالم',
  'a\u200bb\u200dc\ufeffd', // zero-width space / joiner, BOM
  '\u00a0\u2028\u2029', // no-break space, line and paragraph separators
  '\uffff\ufffe\ufffd',
  '\u0001\u0007\u001b[31m\u007f', // control characters and an ANSI escape
  "'; DROP TABLE departments; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  '$1',
  '\\',
  '%s%s%n',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg/onload=alert(1)>',
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  'true',
  '0x1F',
  '٣',
  'Ⅻ',
  '2026-02-30T25:61:61Z',
  'x'.repeat(64),
  'x'.repeat(65),
  '长'.repeat(200),
  '长'.repeat(201),
  'a'.repeat(100 * KB),
  '政'.repeat(100 * KB),
  '😀'.repeat(30 * KB),
];

export const UNSTORABLE_STRINGS: string[] = ['a\u0000b', '\u0000', 'x\ud800y', '\udc00', 'ok\ud83d'];

/** Bytes that are not UTF-8: lone continuation, overlong, truncated, surrogate encoded, 0xFF. */
export const INVALID_UTF8: Buffer[] = [
  Buffer.from([0x80]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
];

export const BOUNDARY_NUMBERS: number[] = [
  0,
  -0,
  -1,
  1,
  0.5,
  -1.5,
  255,
  256,
  1000,
  1001,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1e21,
  1e308,
  -1e308,
  5e-324,
];

/** JSON number literals JSON.stringify cannot write: huge, long, exponent forms. */
export const RAW_NUMBER_LITERALS = [
  '1e400',
  '-1e400',
  '123456789012345678901234567890',
  '1.0e+2',
  '-0.0',
  '0.1e-400',
];

/** Bodies that are not JSON though they say they are. */
export const MALFORMED_JSON: string[] = [
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{a:1}',
  '[1,2',
  '{"a":1}}',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"', // truncated
  'NaN',
  'undefined',
  '<xml/>',
  '{"a":01}',
  '{"a":.5}',
  '{"a":"unterminated}',
  '\u0000',
  '{"a":1}\u0000',
];

export const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/octet-stream',
  'application/merge-patch+json',
  'application/json, text/plain',
  'garbage',
];
