// Fuzz cases generated from the OpenAPI document with fast-check: one case spoils one thing (a field,
// the body bytes, the content type, a parameter or the token) and keeps the rest valid, so that a 400
// can be checked for naming what was spoiled.
import fc from 'fast-check';
import type { Operation, Schema } from '../support/openapi.js';
import {
  BOUNDARY_NUMBERS,
  INVALID_UTF8,
  MALFORMED_JSON,
  NASTY_STRINGS,
  RAW_NUMBER_LITERALS,
  UNSTORABLE_STRINGS,
  WRONG_CONTENT_TYPES,
} from './corpus.js';

export const AUTHS = [
  'operator',
  'finance',
  'auditor',
  'dept-admin',
  'none',
  'garbage',
  'expired',
  'wrong-secret',
  'alg-none',
  'huge',
  'api-token-garbage',
  'basic',
] as const;
export type Auth = (typeof AUTHS)[number];

/** A reference resolved when the request is sent: an id the run has seen (pool, index) or a literal. */
export type Ref = { known: string; index: number } | { literal: string };

export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  /** Raw bytes; `{{ref:i}}` placeholders are not used here, so what is sent is exactly this. */
  | { kind: 'raw'; bytes: Buffer | string; contentType: string };

export interface FuzzCase {
  op: Operation;
  /** What the case spoils, for the summary and the checks. */
  kind: string;
  auth: Auth;
  params: Record<string, Ref>;
  query: Array<[string, string]>;
  body: Body;
  /** The field a 400 must name (body or query field, or 'body'); undefined when nothing is spoiled by name. */
  field?: string;
}

/** JSON values whose ids are filled in when sent: { $ref } objects are replaced by a known id. */
export const REF = '$fuzzRef';

const identifier = fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/).map((s) => `fz-${s}`);

const storableText = (max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) },
    )
    .map((s) => s.replaceAll('\u0000', ''))
    .filter((s) => /\S/.test(s) && [...s].length <= max);

const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const isId = (name: string, schema: Schema) => schema.format === 'uuid' || /(^id|Id)$/.test(name);

/** A value the schema accepts (as far as the document says). */
export function validValue(schema: Schema, name: string): fc.Arbitrary<unknown> {
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? Math.max(min + 1000, 1000);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(schema.items ?? {}, name), { maxLength: 4 });
    case 'object':
      return schema.properties ? validObject(schema) : fc.constant({});
    default:
      break;
  }
  if (isId(name, schema)) return fc.nat().map((index) => ({ [REF]: name, index }));
  if (schema.format === 'date-time' || schema.format === 'date' || /At$|^(from|to)$/.test(name)) {
    return schema.format === 'date' ? isoDate.map((d) => d.slice(0, 10)) : isoDate;
  }
  if (schema.minLength && schema.minLength > 1) {
    return fc.string({ minLength: schema.minLength, maxLength: Math.min(schema.maxLength ?? 64, 64) });
  }
  if (/^(code|username|hostname|slug|key)$/i.test(name) || typeof schema.example === 'string') {
    return identifier;
  }
  return storableText(schema.maxLength ?? 200);
}

export function validObject(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, validValue(v, k)]));
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
}

/** A value of another JSON type than the schema's; null only for a required field (else it means absent). */
function wrongType(schema: Schema, required: boolean): fc.Arbitrary<unknown> {
  const all: Record<string, fc.Arbitrary<unknown>> = {
    string: fc.constantFrom('12', 'true', '', 'x'),
    number: fc.constantFrom(...BOUNDARY_NUMBERS),
    boolean: fc.boolean(),
    null: fc.constant(null),
    array: fc.constantFrom([], [1, 'a'], [[[]]]),
    object: fc.constantFrom({}, { a: 1 }, { $gt: '' }, { length: 1e9 }),
  };
  const own = schema.enum ? 'string' : schema.type === 'integer' ? 'number' : (schema.type ?? 'string');
  const others = Object.entries(all)
    .filter(([type]) => type !== own && (required || type !== 'null'))
    .map(([, arb]) => arb);
  return fc.oneof(...others);
}

/** A JSON body with one field spoiled; the field name comes with it. */
function spoiledBody(
  schema: Schema,
): fc.Arbitrary<{ value: unknown; field: string; kind: string }> | undefined {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return undefined;
  const base = validObject({ ...schema, required: properties.map(([k]) => k) });
  const pick = fc.constantFrom(...properties);
  const strings = properties.filter(([k, s]) => (s.type ?? 'string') === 'string' && !s.enum && !isId(k, s));
  const numbers = properties.filter(([, s]) => s.type === 'number' || s.type === 'integer');
  const spoilers: Array<fc.Arbitrary<{ value: unknown; field: string; kind: string }>> = [
    fc.tuple(base, pick).chain(([body, [key, s]]) =>
      wrongType(s, (schema.required ?? []).includes(key)).map((v) => ({
        value: { ...body, [key]: v },
        field: key,
        kind: 'wrong-type',
      })),
    ),
    fc.tuple(base, identifier).map(([body, key]) => ({
      value: { ...body, [`x${key}`]: 'unknown' },
      field: `x${key}`,
      kind: 'unknown-field',
    })),
    fc.tuple(base, fc.constantFrom(...UNSTORABLE_STRINGS), pick).map(([body, bad, [key]]) => ({
      value: { ...body, [key]: bad },
      field: key,
      kind: 'unstorable-string',
    })),
  ];
  const required = (schema.required ?? []).filter((k) => schema.properties?.[k]);
  if (required.length > 0) {
    spoilers.push(
      fc.tuple(base, fc.constantFrom(...required)).map(([body, key]) => {
        const { [key]: _, ...rest } = body;
        return { value: rest, field: key, kind: 'missing-field' };
      }),
    );
  }
  if (strings.length > 0) {
    spoilers.push(
      fc.tuple(base, fc.constantFrom(...strings)).map(([body, [key, s]]) => ({
        value: { ...body, [key]: '长'.repeat((s.maxLength ?? 100_000) + 1) },
        field: key,
        kind: 'too-long',
      })),
    );
  }
  if (numbers.length > 0) {
    spoilers.push(
      fc.tuple(base, fc.constantFrom(...numbers)).chain(([body, [key, s]]) =>
        fc
          .constantFrom(
            ...BOUNDARY_NUMBERS,
            ...[s.minimum, s.maximum].flatMap((b) => (b === undefined ? [] : [b - 1, b + 1])),
          )
          .filter(
            (n) =>
              (s.minimum !== undefined && n < s.minimum) ||
              (s.maximum !== undefined && n > s.maximum) ||
              (s.type === 'integer' && !Number.isInteger(n)),
          )
          .map((n) => ({ value: { ...body, [key]: n }, field: key, kind: 'out-of-range' })),
      ),
    );
  }
  return fc.oneof(...spoilers);
}

/** Raw bodies: bytes no JSON parser should accept, or JSON under the wrong content type. */
function rawBody(schema: Schema | undefined): fc.Arbitrary<{ body: Body; kind: string; field?: string }> {
  const valid = schema ? validObject(schema) : fc.constant({});
  return fc.oneof(
    fc.constantFrom(...MALFORMED_JSON).map((bytes) => ({
      body: { kind: 'raw' as const, bytes, contentType: 'application/json' },
      kind: 'malformed-json',
      field: 'body',
    })),
    fc.tuple(valid, fc.constantFrom(...INVALID_UTF8)).map(([v, bad]) => {
      const json = Buffer.from(JSON.stringify({ ...v, zz: 'BAD' }));
      const at = json.indexOf('BAD');
      const bytes = Buffer.concat([json.subarray(0, at), bad, json.subarray(at + 3)]);
      return {
        body: { kind: 'raw' as const, bytes, contentType: 'application/json' },
        kind: 'invalid-utf8',
        field: 'body',
      };
    }),
    fc.tuple(valid, fc.constantFrom(...WRONG_CONTENT_TYPES)).map(([v, contentType]) => ({
      body: { kind: 'raw' as const, bytes: JSON.stringify(v), contentType },
      kind: 'wrong-content-type',
    })),
    fc.constantFrom('a', '长', '"').map((c) => ({
      body: {
        kind: 'raw' as const,
        bytes: `{"zz":"${c.repeat(1_100_000)}"}`,
        contentType: 'application/json',
      },
      kind: 'oversized',
      field: 'body',
    })),
    fc.tuple(valid, fc.constantFrom(...RAW_NUMBER_LITERALS)).map(([v, n]) => ({
      body: {
        kind: 'raw' as const,
        bytes: JSON.stringify({ ...v, zz: 0 }).replace('"zz":0', `"zz":${n}`),
        contentType: 'application/json',
      },
      kind: 'raw-number',
      field: 'zz',
    })),
    fc.integer({ min: 200, max: 5000 }).map((depth) => ({
      body: {
        kind: 'raw' as const,
        bytes: '{"zz":'.repeat(depth) + '1' + '}'.repeat(depth),
        contentType: 'application/json',
      },
      kind: 'deep-nesting',
      field: 'zz',
    })),
    fc.constant({
      body: { kind: 'raw' as const, bytes: '', contentType: 'application/json' },
      kind: 'empty-body',
    }),
    fc.constant({
      body: { kind: 'raw' as const, bytes: '[{"a":1}]', contentType: 'application/json' },
      kind: 'array-body',
    }),
  );
}

/** A multipart body by hand, so that it can also be cut short or lie about its boundary. */
function multipart(parts: Array<{ field: string; filename: string; type: string; content: Buffer }>): Buffer {
  const boundary = 'fuzzBoundary7MA4YWxk';
  const chunks = parts.flatMap((part) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${part.field}"; filename="${part.filename}"\r\n` +
        `Content-Type: ${part.type}\r\n\r\n`,
    ),
    part.content,
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
}

const MULTIPART = 'multipart/form-data; boundary=fuzzBoundary7MA4YWxk';

/** Uploads: files of garbage, hostile CSV, the wrong field, several files, a multipart cut short. */
function upload(field: string): fc.Arbitrary<{ kind: string; body: Body; field?: string }> {
  const csvCell = fc.oneof(fc.constantFrom(...NASTY_STRINGS.filter((x) => x.length < 300)), fc.string());
  const csv = fc
    .array(fc.array(csvCell, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 20 })
    .map((rows) =>
      rows.map((cells) => cells.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).join('\n'),
    );
  const file = (content: Buffer, filename = 'x.csv', type = 'text/csv', name = field) =>
    multipart([{ field: name, filename, type, content }]);
  const body = (bytes: Buffer, contentType = MULTIPART): Body => ({ kind: 'raw', bytes, contentType });
  return fc.oneof(
    csv.map((text) => ({ kind: 'upload-csv', body: body(file(Buffer.from(text))) })),
    fc.uint8Array({ maxLength: 4096 }).map((bytes) => ({
      kind: 'upload-bytes',
      body: body(
        file(
          Buffer.from(bytes),
          'x.xlsx',
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        ),
      ),
    })),
    fc.constantFrom(...INVALID_UTF8).map((bad) => ({
      kind: 'upload-invalid-utf8',
      body: body(file(Buffer.concat([Buffer.from('a,b\n'), bad, Buffer.from(',c\n')]))),
    })),
    // A zip signature with nothing after it: what a truncated XLSX looks like.
    fc.constant({
      kind: 'upload-truncated-xlsx',
      body: body(file(Buffer.from('PK\u0003\u0004\u0014\u0000'), 'x.xlsx')),
    }),
    fc.constant({ kind: 'upload-empty', body: body(file(Buffer.alloc(0))), field }),
    fc.constant({
      kind: 'upload-wrong-field',
      body: body(file(Buffer.from('a,b\n'), 'x.csv', 'text/csv', 'other')),
    }),
    fc.constant({
      kind: 'upload-two-files',
      body: body(
        multipart([
          { field, filename: 'a.csv', type: 'text/csv', content: Buffer.from('a\n') },
          { field, filename: 'b.csv', type: 'text/csv', content: Buffer.from('b\n') },
        ]),
      ),
    }),
    fc.constant({ kind: 'upload-cut-short', body: body(file(Buffer.from('a,b\n')).subarray(0, 60)) }),
    fc.constant({ kind: 'upload-no-boundary', body: body(file(Buffer.from('a\n')), 'multipart/form-data') }),
  );
}

function paramRef(name: string, schema: Schema): fc.Arbitrary<Ref> {
  return fc
    .oneof(
      { weight: 6, arbitrary: fc.nat().map((index): Ref => ({ known: name, index })) },
      { weight: 1, arbitrary: fc.uuid().map((literal): Ref => ({ literal })) },
      {
        weight: 2,
        arbitrary: fc
          .oneof(
            fc.constantFrom(
              ...NASTY_STRINGS.filter((s) => s.length < 3000),
              ...UNSTORABLE_STRINGS,
              '%',
              '%E0%A4%A',
              '..',
              '.',
            ),
            fc.string({ unit: 'binary', maxLength: 20 }),
          )
          .map((literal): Ref => ({ literal })),
      },
    )
    .map((ref) =>
      schema.enum?.length && 'known' in ref
        ? { literal: String(schema.enum[ref.index % schema.enum.length]) }
        : ref,
    );
}

function queryOf(
  op: Operation,
  spoil: boolean,
): fc.Arbitrary<{ query: Array<[string, string]>; field?: string; kind?: string }> {
  const params = op.parameters.filter((p) => p.in === 'query');
  const valid = fc
    .tuple(...params.map((p) => fc.option(validValue(p.schema, p.name), { nil: undefined, freq: 2 })))
    .map((values) =>
      values.flatMap((v, i): Array<[string, string]> =>
        v === undefined || typeof v === 'object' ? [] : [[params[i].name, String(v)]],
      ),
    );
  if (!spoil) return valid.map((query) => ({ query }));
  // An operation without query parameters ignores the query string; one with them refuses unknown ones.
  if (params.length === 0) {
    return identifier.map((key) => ({ query: [[`x${key}`, '1']], kind: 'ignored-query' }));
  }
  const pick = fc.constantFrom(...params);
  const badValue = fc.oneof(
    fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length < 3000)),
    fc.constantFrom('-1', '1e400', '99999999999999999999', '1.5', '0x10', ' 1', '[]', '{}'),
  );
  return fc.oneof(
    fc.tuple(valid, identifier).map(([query, key]) => ({
      query: [...query, [`x${key}`, '1']] as Array<[string, string]>,
      field: `x${key}`,
      kind: 'unknown-query',
    })),
    fc.tuple(valid, pick, badValue).map(([query, p, v]) => ({
      query: [...query.filter(([k]) => k !== p.name), [p.name, v]] as Array<[string, string]>,
      kind: 'bad-query-value',
    })),
    fc.tuple(valid, pick).map(([query, p]) => ({
      query: [...query.filter(([k]) => k !== p.name), [p.name, '1'], [p.name, '2']] as Array<
        [string, string]
      >,
      kind: 'repeated-query',
    })),
    fc.tuple(valid, pick).map(([query, p]) => ({
      query: [...query.filter(([k]) => k !== p.name), [`${p.name}[a][b]`, '1']] as Array<[string, string]>,
      kind: 'nested-query',
    })),
  );
}

const authArb: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 14, arbitrary: fc.constant<Auth>('operator') },
  { weight: 3, arbitrary: fc.constantFrom<Auth>('finance', 'auditor', 'dept-admin') },
  { weight: 3, arbitrary: fc.constantFrom<Auth>(...AUTHS.slice(4)) },
);

/** Every case for one operation. */
export function caseFor(op: Operation): fc.Arbitrary<FuzzCase> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const params = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, paramRef(p.name, p.schema)])));
  const validParams = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [p.name, fc.nat().map((index): Ref => ({ known: p.name, index }))]),
    ),
  );
  const takesBody = op.body !== undefined || ['POST', 'PUT', 'PATCH'].includes(op.method);
  const make = (parts: {
    kind: string;
    params?: Record<string, Ref>;
    query?: Array<[string, string]>;
    body?: Body;
    field?: string;
    auth?: Auth;
  }): FuzzCase => ({
    op,
    kind: parts.kind,
    auth: parts.auth ?? 'operator',
    params: parts.params ?? {},
    query: parts.query ?? [],
    body: parts.body ?? { kind: 'none' },
    field: parts.field,
  });
  const validBody: fc.Arbitrary<Body> = op.body
    ? validObject(op.body).map((value) => ({ kind: 'json', value }))
    : fc.constant({ kind: 'none' });

  const kinds: Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzCase> }> = [
    // Valid as far as the document says, any caller, any path parameter: the stored-string check.
    {
      weight: 5,
      arbitrary: fc
        .tuple(authArb, params, queryOf(op, false), validBody)
        .map(([auth, p, q, body]) => make({ kind: 'valid', auth, params: p, query: q.query, body })),
    },
    {
      weight: op.parameters.some((p) => p.in === 'query') ? 2 : 1,
      arbitrary: fc
        .tuple(validParams, queryOf(op, true), validBody)
        .map(([p, q, body]) =>
          make({ kind: q.kind ?? 'query', params: p, query: q.query, body, field: q.field }),
        ),
    },
  ];
  if (takesBody) {
    kinds.push({
      weight: 3,
      arbitrary: fc
        .tuple(validParams, rawBody(op.body))
        .map(([p, raw]) =>
          make({ kind: raw.kind, params: p, body: raw.body, field: op.body ? raw.field : undefined }),
        ),
    });
  }
  const spoiled = op.body ? spoiledBody(op.body) : undefined;
  if (spoiled) {
    kinds.push({
      weight: 5,
      arbitrary: fc
        .tuple(validParams, spoiled)
        .map(([p, s]) =>
          make({ kind: s.kind, params: p, body: { kind: 'json', value: s.value }, field: s.field }),
        ),
    });
  }
  if (op.fileField) kinds.push({ weight: 4, arbitrary: upload(op.fileField).map((u) => make(u)) });
  if (!takesBody) {
    // A body where none belongs must be ignored or refused, never break the request.
    kinds.push({
      weight: 1,
      arbitrary: fc
        .tuple(validParams, fc.constantFrom(...MALFORMED_JSON.slice(0, 4), '{"a":1}'))
        .map(([p, bytes]) =>
          make({
            kind: 'unexpected-body',
            params: p,
            body: { kind: 'raw', bytes, contentType: 'application/json' },
          }),
        ),
    });
  }
  return fc.oneof(...kinds);
}

/** Operations whose valid requests hash a password (~0.1 s of CPU each) are fuzzed less often. */
const COSTLY = new Set(['POST /api/v1/auth/login', 'POST /api/v1/users', 'PATCH /api/v1/users/{id}']);

/**
 * One batch of about `size` cases, every operation in it (the costly ones a quarter as often), in an
 * order mixed by the seed. Same seed, same document: same cases.
 */
export function batchOf(ops: Operation[], size: number, seed: number): FuzzCase[] {
  const weight = (op: Operation) => (COSTLY.has(op.key) ? 1 : 4);
  const total = ops.reduce((sum, op) => sum + weight(op), 0);
  const cases = ops.flatMap((op, i) =>
    fc.sample(caseFor(op), {
      seed: seed * 1000 + i,
      numRuns: Math.max(1, Math.round((size * weight(op)) / total)),
    }),
  );
  const order = fc.sample(fc.integer(), { seed, numRuns: cases.length });
  return cases
    .map((c, i) => ({ c, key: order[i] }))
    .sort((a, b) => a.key - b.key)
    .map(({ c }) => c);
}
