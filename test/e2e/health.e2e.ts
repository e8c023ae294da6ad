import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { resetConfig } from '../../src/config/config.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';

describe('probes, metrics and API docs', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  it('healthz and readyz answer without a token', async () => {
    await t.http().get('/healthz').expect(200, { status: 'ok' });
    const ready = await t.http().get('/readyz').expect(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('exposes Prometheus metrics with HTTP latency and queue depth', async () => {
    await t.http().get('/api/v1/departments').expect(401);
    const res = await t.http().get('/metrics').expect(200);
    expect(res.text).toContain('govcloud_http_request_duration_seconds_bucket');
    expect(res.text).toContain('govcloud_queue_jobs{queue="audit",state="waiting"}');
  });

  it('keeps /metrics to the holder of METRICS_TOKEN when one is set', async () => {
    process.env.METRICS_TOKEN = 'metrics-token-for-this-test';
    resetConfig();
    const guarded = await startApp();
    try {
      const refused = await guarded.http().get('/metrics').expect(401);
      expect(refused.body.message).toMatch(/^authorization/);
      await guarded.http().get('/metrics').set(bearer('metrics-token-for-thi')).expect(401);
      const res = await guarded.http().get('/metrics').set(bearer('metrics-token-for-this-test')).expect(200);
      expect(res.text).toContain('govcloud_http_request_duration_seconds');
      await guarded.http().get('/healthz').expect(200);
    } finally {
      await guarded.close();
      delete process.env.METRICS_TOKEN;
      resetConfig();
    }
  });

  it('names its PostgreSQL sessions, keeps them in UTC, and lets none idle in a transaction for a minute', async () => {
    const [session] = await t.dataSource.query(
      `SELECT application_name, current_setting('idle_in_transaction_session_timeout') AS idle,
              current_setting('TimeZone') AS zone
       FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
    );
    expect(session).toEqual({ application_name: 'govcloud-api', idle: '1min', zone: 'UTC' });
  });

  it('answers with the headers a security assessment asks for', async () => {
    const res = await t.http().get('/healthz').expect(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('serves the OpenAPI document generated from the DTOs, and answers request ids', async () => {
    const res = await t.http().get('/api/docs-json').expect(200);
    expect(res.body.paths['/api/v1/departments'].post).toBeDefined();
    expect(res.body.components.schemas.CreateDepartmentDto.required).toEqual(
      expect.arrayContaining(['code', 'name', 'kind']),
    );
    const page = await t.http().get('/api/v1/nowhere').expect(404);
    expect(page.headers['x-request-id']).toBeTruthy();
    expect(page.body.requestId).toBe(page.headers['x-request-id']);
  });

  it("closes an idle keep-alive connection after HTTP_KEEP_ALIVE_MS, not after Node's 5 s", async () => {
    process.env.HTTP_KEEP_ALIVE_MS = '1000';
    resetConfig();
    const short = await startApp();
    try {
      const server = short.app.getHttpServer() as http.Server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      // A bare socket: an http.Agent drops idle sockets itself, by the server's Keep-Alive hint.
      const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
      const closedByServer = new Promise<number>((resolve) => socket.on('end', () => resolve(Date.now())));
      let received = '';
      const answered = new Promise<number>((resolve) =>
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString();
          if (received.endsWith('{"status":"ok"}')) resolve(Date.now());
        }),
      );
      socket.write('GET /healthz HTTP/1.1\r\nHost: govcloud\r\nConnection: keep-alive\r\n\r\n');
      const idleSince = await answered;
      expect(received).toMatch(/^HTTP\/1\.1 200 .*\r\nKeep-Alive: timeout=1\r\n/s);
      const closedAt = await Promise.race([closedByServer, sleep(4_000, 'still open')]);
      socket.destroy();
      // Node's default would have kept it past 5 s.
      expect(closedAt).not.toBe('still open');
      expect((closedAt as number) - idleSince).toBeGreaterThanOrEqual(900);
    } finally {
      await short.close();
      delete process.env.HTTP_KEEP_ALIVE_MS;
      resetConfig();
    }
  });
});
