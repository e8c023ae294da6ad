// Sends every request of the authorisation matrix (matrix.ts) as every caller and compares statuses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { MATRIX } from './matrix.js';
import { operationsOf } from '../support/openapi.js';
import { CALLERS, urlOf, type Caller, type Ctx, type MatrixRequest, type Row } from './matrix-support.js';

describe('authorisation matrix (test/authz/matrix.ts)', () => {
  let t: TestApp;
  let ctx: Ctx;
  let tokens: Record<Exclude<Caller, 'anon'>, string>;

  beforeAll(async () => {
    t = await startApp();
    const tree = await t.world.city();
    const made = await t.world.tokens(tree.dept.id, tree.other.id);
    tokens = {
      operator: made.operator,
      finance: made.finance,
      own: made.deptAdmin,
      other: made.otherAdmin,
      auditor: made.auditor,
    };
    ctx = {
      world: t.world,
      tree,
      dataSource: t.dataSource,
      as: async (caller, method, path, body) => {
        const res = await send(method, path, tokens[caller], body);
        if (res.status >= 300) {
          throw new Error(`setup ${method} ${path} as ${caller}: ${res.status} ${JSON.stringify(res.body)}`);
        }
        return res.body;
      },
    };
  });
  afterAll(() => t.close());

  const send = (
    method: string,
    url: string,
    token: string | undefined,
    body: unknown,
    file?: MatrixRequest['file'],
  ) => {
    let req = t.http()[method.toLowerCase() as 'get'](url);
    if (token) req = req.set(bearer(token));
    if (file) return req.attach(file.field, file.content, file.name);
    return body === undefined ? req : req.send(body as object);
  };

  it('has exactly one row for every operation of the OpenAPI document', async () => {
    const document = (await t.http().get('/api/docs-json').expect(200)).body;
    const documented = operationsOf(document)
      .map((op) => op.key)
      .sort();
    const rows = MATRIX.map((r) => r.operation).sort();
    const duplicates = rows.filter((op, i) => rows[i - 1] === op);
    expect({
      withoutRow: documented.filter((op) => !rows.includes(op)),
      rowWithoutOperation: rows.filter((op) => !documented.includes(op)),
      duplicates,
    }).toEqual({ withoutRow: [], rowWithoutOperation: [], duplicates: [] });
  });

  it.each(MATRIX.map((r): [string, Row] => [r.operation, r]))('%s', async (_operation, row) => {
    const got: number[] = [];
    const bodies: string[] = [];
    for (const caller of CALLERS) {
      const request = await row.request(ctx);
      const res = await send(
        row.method,
        urlOf(row.path, request),
        caller === 'anon' ? undefined : tokens[caller],
        request.body,
        request.file,
      );
      got.push(res.status);
      if (res.status !== row.expected[caller])
        bodies.push(`${caller}: ${res.status} ${res.text.slice(0, 300)}`);
    }
    // One string per row: the diff shows which column moved, the bodies say why.
    expect({ statuses: got.join(' '), mismatches: bodies }).toEqual({
      statuses: row.statuses,
      mismatches: [],
    });
  });
});
