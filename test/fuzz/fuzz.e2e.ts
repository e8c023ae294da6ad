// The OpenAPI-driven fuzzer (npm run test:fuzz: FUZZ_REQUESTS=10000; npm test runs a 1,000-request pass).
// Pass: no 5xx, no hang, every 4xx in the error shape with a message naming the problem (the spoiled
// field when one was spoiled), every stored string given back exactly. Fixed seed: FUZZ_SEED.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { loadConfig } from '../../src/config/config.js';
import { operationsOf, type Operation } from '../support/openapi.js';
import { startApp, type TestApp } from '../support/harness.js';
import { batchOf, REF, type Auth, type FuzzCase, type Ref } from './cases.js';
import { RawClient, type RawResponse } from './client.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const CONCURRENCY = 8;
// Generous: the suite shares two cores with everything else; a hang is forever, not 15 s.
const DEADLINE_MS = 30_000;
const BATCH = 250;

/** Percent-encoding that also writes lone surrogates (as WTF-8 bytes), which encodeURIComponent refuses. */
function encodeLoosely(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text]
      .map((ch) => {
        const unit = ch.charCodeAt(0);
        if (ch.length > 1 || unit < 0xd800 || unit > 0xdfff) return encodeURIComponent(ch);
        const bytes = [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)];
        return bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
      })
      .join('');
  }
}

const isCreate = (op: Operation) => op.method === 'POST' && !op.path.includes('{');

describe('OpenAPI fuzzer', () => {
  let t: TestApp;
  let client: RawClient;
  let ops: Operation[];
  const tokens = new Map<Auth, string | undefined>();
  /** Ids the run knows, by collection path ("/api/v1/departments"): path parameters and id fields draw on them. */
  const known = new Map<string, string[]>();

  beforeAll(async () => {
    t = await startApp();
    await t.app.listen(0, '127.0.0.1');
    const port = (t.app.getHttpServer().address() as { port: number }).port;
    client = new RawClient(port, DEADLINE_MS);
    const tree = await t.world.city();
    known.set('/api/v1/departments', [
      tree.city.id,
      tree.district.id,
      tree.dept.id,
      tree.unit.id,
      tree.other.id,
    ]);
    const jwt = t.app.get(JwtService);
    const operator = await t.world.user('operator');
    const secret = loadConfig().JWT_SECRET;
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    tokens.set('operator', await t.world.tokenOf(operator));
    tokens.set('finance', await t.world.token('finance'));
    tokens.set('auditor', await t.world.token('auditor'));
    tokens.set('dept-admin', await t.world.token('dept-admin', tree.dept.id));
    tokens.set('none', undefined);
    tokens.set('garbage', 'not-a-token');
    tokens.set(
      'expired',
      await jwt.signAsync({ sub: operator.id, exp: Math.floor(Date.now() / 1000) - 60 }, { secret }),
    );
    tokens.set(
      'wrong-secret',
      await jwt.signAsync({ sub: operator.id }, { secret: `${secret}-other`, expiresIn: '1h' }),
    );
    tokens.set('alg-none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: operator.id })}.`);
    tokens.set('huge', 'x'.repeat(64 * 1024));
    tokens.set('api-token-garbage', `gct_${'A'.repeat(43)}`);
    tokens.set('basic', 'Basic');
    ops = operationsOf((await client.send('GET', '/api/docs-json', {})).json);
  });
  afterAll(async () => {
    client?.close();
    await t?.close();
  });

  const collectionOf = (path: string) => path.replace(/\/\{[^}]+\}.*$/, '');
  const pick = (pool: string | undefined, index: number): string | undefined => {
    const ids = (pool && known.get(pool)) || [...known.values()].flat();
    return ids.length ? ids[index % ids.length] : undefined;
  };
  /** Which collection an id field draws from: departmentId, parentId, rootId → departments; fooId → /foos. */
  const poolOfField = (name: string): string | undefined => {
    if (/^(departmentId|parentId|rootId)$/.test(name)) return '/api/v1/departments';
    const stem = name.replace(/Id$/, '').toLowerCase();
    return [...known.keys()].find(
      (k) => k.toLowerCase().endsWith(`/${stem}s`) || k.toLowerCase().endsWith(`/${stem}es`),
    );
  };
  const resolveRefs = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolveRefs);
    if (value && typeof value === 'object') {
      const ref = value as Record<string, unknown>;
      if (typeof ref[REF] === 'string') {
        return (
          pick(poolOfField(ref[REF] as string), ref.index as number) ?? '00000000-0000-4000-8000-000000000000'
        );
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v)]));
    }
    return value;
  };

  interface Sent {
    url: string;
    headers: Record<string, string>;
    body?: Buffer | string;
    json?: Record<string, unknown>;
  }

  function build(c: FuzzCase): Sent {
    const path = c.op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const ref: Ref = c.params[name] ?? { known: name, index: 0 };
      if ('literal' in ref) return ref.literal.startsWith('%') ? ref.literal : encodeLoosely(ref.literal);
      return encodeURIComponent(
        pick(collectionOf(c.op.path), ref.index) ?? '00000000-0000-4000-8000-000000000000',
      );
    });
    const query = c.query.map(([k, v]) => `${encodeLoosely(k)}=${encodeLoosely(v)}`).join('&');
    const headers: Record<string, string> = {};
    const token = tokens.get(c.auth);
    if (token !== undefined)
      headers.Authorization = c.auth === 'basic' ? 'Basic Zm9vOmJhcg==' : `Bearer ${token}`;
    const sent: Sent = { url: query ? `${path}?${query}` : path, headers };
    if (c.body.kind === 'json') {
      sent.json = resolveRefs(c.body.value) as Record<string, unknown>;
      sent.body = JSON.stringify(sent.json);
      headers['Content-Type'] = 'application/json';
    } else if (c.body.kind === 'raw') {
      sent.body = c.body.bytes;
      headers['Content-Type'] = c.body.contentType;
    }
    return sent;
  }

  /**
   * Writes at or under each path, in flight and done. Cases run CONCURRENCY at a time and two may PATCH
   * the same pool: a read-back is compared only when no other write to its item overlapped.
   */
  const writes = new Map<string, { inFlight: number; done: number }>();
  const readBacks = { compared: 0, overlapped: 0 };
  const writesAt = (path: string) => {
    if (!writes.has(path)) writes.set(path, { inFlight: 0, done: 0 });
    return writes.get(path)!;
  };
  /** The path of a write and each path above it (an action on /x/{id}/approve writes /x/{id}). */
  const writtenBy = (method: string, url: string): string[] => {
    if (method === 'GET') return [];
    const segments = url.split('?')[0].split('/');
    return segments.map((_, i) => segments.slice(0, i + 1).join('/')).filter(Boolean);
  };
  /** Sends, counting the write; `alone` then tells whether another write to `path` overlapped it since. */
  async function sendCounted(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: Buffer | string,
  ) {
    const own = writesAt(url.split('?')[0]);
    const [busyAtStart, doneAtStart] = [own.inFlight > 0, own.done];
    const written = writtenBy(method, url).map(writesAt);
    for (const w of written) w.inFlight++;
    try {
      const res = await client.send(method, url, headers, body);
      return { res, alone: () => !busyAtStart && own.inFlight === 0 && own.done === doneAtStart + 1 };
    } finally {
      for (const w of written) {
        w.inFlight--;
        w.done++;
      }
    }
  }

  /** What is wrong with an answer; empty when it passes. */
  async function problemsOf(
    c: FuzzCase,
    sent: Sent,
    res: RawResponse,
    alone: () => boolean,
  ): Promise<string[]> {
    const problems: string[] = [];
    if (res.status >= 500) problems.push(`answered ${res.status}: ${res.text.slice(0, 200)}`);
    if (res.status >= 400 && res.status < 500) {
      const body = res.json as Record<string, unknown> | undefined;
      const message = typeof body?.message === 'string' ? body.message : '';
      if (!body || body.statusCode !== res.status || typeof body.error !== 'string' || !body.requestId) {
        problems.push(`${res.status} not in the error shape: ${res.text.slice(0, 200)}`);
      } else if (message.trim().length < 8) {
        problems.push(`${res.status} names no problem: ${JSON.stringify(message)}`);
      } else if (res.status === 400 && c.field && c.auth === 'operator' && !message.includes(c.field)) {
        problems.push(`400 does not name the spoiled field ${c.field}: ${message.slice(0, 300)}`);
      }
    }
    if (
      c.kind === 'oversized' &&
      res.status < 500 &&
      res.status !== 413 &&
      res.status !== 401 &&
      res.status !== 403
    ) {
      problems.push(`an oversized body answered ${res.status}, not 413`);
    }
    if (res.status >= 200 && res.status < 300 && sent.json && res.json && typeof res.json === 'object') {
      // Creations and updates answer what they stored; an action (POST /x/{id}/approve) may answer the
      // state an earlier, idempotent call left.
      if (isCreate(c.op) || c.op.method === 'PATCH' || c.op.method === 'PUT') {
        problems.push(...echoProblems(sent.json, res.json, 'answer'));
      }
      const id = (res.json as { id?: unknown }).id;
      if (typeof id === 'string' && isCreate(c.op)) {
        known.set(c.op.path, [...(known.get(c.op.path) ?? []), id]);
      }
      const readBack = readPathOf(c, sent, res);
      if (readBack) {
        // A new item's path was written by no one before; an updated item's, by this case and maybe others.
        const before = { ...writesAt(readBack) };
        const read = await client.send('GET', readBack, {
          Authorization: `Bearer ${tokens.get('operator')}`,
        });
        const after = writesAt(readBack);
        const quiet =
          readBack === sent.url.split('?')[0]
            ? alone()
            : before.inFlight === 0 && after.inFlight === 0 && after.done === before.done;
        if (read.status === 200 && quiet)
          problems.push(...echoProblems(sent.json, read.json, `GET ${readBack}`));
        readBacks[quiet ? 'compared' : 'overlapped']++;
      }
    }
    return problems;
  }

  /** The GET that reads back what a 2xx POST or PATCH stored, when the document has one. */
  function readPathOf(c: FuzzCase, sent: Sent, res: RawResponse): string | undefined {
    const id = (res.json as { id?: unknown }).id;
    if (typeof id !== 'string') return undefined;
    const item = isCreate(c.op) ? `${c.op.path}/{id}` : c.op.path;
    if (isCreate(c.op) || c.op.method === 'PATCH' || c.op.method === 'PUT') {
      if (ops.some((op) => op.method === 'GET' && op.path === item)) {
        return item === c.op.path ? sent.url.split('?')[0] : `${c.op.path}/${id}`;
      }
    }
    return undefined;
  }

  /** Every string field sent that the answer carries must come back exactly. */
  function echoProblems(sent: Record<string, unknown>, got: unknown, where: string): string[] {
    if (!got || typeof got !== 'object') return [];
    return Object.entries(sent).flatMap(([key, value]) => {
      const back = (got as Record<string, unknown>)[key];
      if (typeof value !== 'string' || typeof back !== 'string' || back === value) return [];
      return [
        `${key} came back altered in the ${where}: sent ${JSON.stringify(value.slice(0, 80))}, got ${JSON.stringify(back.slice(0, 80))}`,
      ];
    });
  }

  it(
    `answers ${REQUESTS} generated requests without a 5xx, a hang or a nameless 4xx`,
    async () => {
      const started = performance.now();
      const byKind = new Map<string, number>();
      const msByKind = new Map<string, number>();
      const byStatus = new Map<number, number>();
      const byOp = new Map<string, number>();
      const failures: string[] = [];
      let sent = 0;
      for (let batch = 0; sent < REQUESTS; batch++) {
        const cases = batchOf(ops, Math.min(BATCH, REQUESTS - sent), SEED + batch);
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < cases.length) {
              const c = cases[next++];
              const request = build(c);
              const caseStarted = performance.now();
              let problems: string[];
              let status = 0;
              try {
                const { res, alone } = await sendCounted(
                  c.op.method,
                  request.url,
                  request.headers,
                  request.body,
                );
                status = res.status;
                problems = await problemsOf(c, request, res, alone);
              } catch (error) {
                problems = [`no answer: ${(error as Error).message}`];
              }
              byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
              msByKind.set(c.kind, (msByKind.get(c.kind) ?? 0) + performance.now() - caseStarted);
              byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
              byOp.set(c.op.key, (byOp.get(c.op.key) ?? 0) + 1);
              for (const problem of problems) {
                failures.push(`${c.op.key} [${c.kind}, ${c.auth}] ${request.url.slice(0, 120)}: ${problem}`);
              }
            }
          }),
        );
        sent += cases.length;
      }
      const seconds = (performance.now() - started) / 1000;
      const health = await client.send('GET', '/healthz', {});
      const table = (m: Map<string | number, number>) =>
        [...m.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`)
          .join('\n');
      console.log(
        [
          `模糊测试 fuzz: ${sent} requests over ${ops.length} operations in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)} req/s), seed ${SEED}`,
          `failures: ${failures.length}`,
          `read-backs compared: ${readBacks.compared}, left out (another write overlapped): ${readBacks.overlapped}`,
          'by status:',
          table(byStatus),
          'by case:',
          [...byKind.entries()]
            .sort((a, b) => b[1] - a[1])
            .map(
              ([k, n]) => `  ${String(n).padStart(6)}  ${k} (${((msByKind.get(k) ?? 0) / n).toFixed(0)} ms)`,
            )
            .join('\n'),
          'by operation:',
          table(byOp),
        ].join('\n'),
      );
      expect(health.status).toBe(200);
      expect(readBacks.compared).toBeGreaterThan(0);
      expect(sent).toBeGreaterThanOrEqual(REQUESTS);
      expect(byOp.size).toBe(ops.length);
      expect(failures.slice(0, 40)).toEqual([]);
    },
    15 * 60_000,
  );
});
