import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobName, QueueName } from '../../src/modules/jobs/job-catalogue.js';
import { QueueRegistry } from '../../src/modules/jobs/queue-registry.js';
import { startApp, type TestApp } from '../support/harness.js';
import { eventually } from '../support/provisioning.js';
import { spawnEntry, type Proc } from '../support/processes.js';

// Production runs API and workers as separate processes: what the workers' jobs measure must be
// scrapeable from the worker itself, since the API's registry never sees it.
const TOKEN = 'metrics-token-for-this-test';

describe('a worker process serves its own /metrics and /healthz', () => {
  let t: TestApp;
  let worker: Proc;
  let base: string;

  beforeAll(async () => {
    t = await startApp({ api: true, worker: false });
    worker = spawnEntry('worker', 'src/worker.ts', {
      ...process.env,
      LOG_LEVEL: 'info',
      WORKER_METRICS_PORT: '0',
      METRICS_TOKEN: TOKEN,
    });
    await worker.printed('worker metrics listening');
    const port = worker.tail().match(/"port":(\d+)[^\n]*worker metrics listening/)?.[1];
    expect(port).toBeDefined();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('answers liveness, and refuses what it does not serve', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/api/v1/departments`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    // Its labels name departments: with METRICS_TOKEN set, only the scraper holding it reads them.
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
  });

  it('counts the jobs it ran and shows what they recorded (the quota drift check)', async () => {
    // An API process's registry never holds the drift gauges: only the worker that ran the check does.
    expect((await t.http().get('/metrics').expect(200)).text).not.toMatch(
      /^govcloud_quota_drift_checked_timestamp_seconds [1-9]/m,
    );
    await t.app.get(QueueRegistry).get(QueueName.Quota).add(JobName.QuotaDriftCheck, {});
    const metrics = await eventually('the drift check counted by the worker', async () => {
      const text = await scrape();
      return /^govcloud_jobs_total\{queue="quota",job="quota\.drift-check",outcome="success"\} [1-9]/m.test(
        text,
      )
        ? text
        : undefined;
    });
    expect(metrics).toMatch(/^govcloud_quota_drift_checked_timestamp_seconds [1-9]\d*/m);
    expect(metrics).toMatch(/^govcloud_quota_drift_differences\{counter="used"\} 0$/m);
    expect(metrics).toMatch(
      /^govcloud_job_duration_seconds_count\{queue="quota",job="quota\.drift-check"\} [1-9]/m,
    );
  });

  it('names its PostgreSQL sessions: its pool and its outbox listener', async () => {
    const names = await t.dataSource.query(
      `SELECT DISTINCT application_name AS name FROM pg_stat_activity
       WHERE datname = current_database() AND application_name LIKE 'govcloud-%' ORDER BY 1`,
    );
    expect(names.map((n: { name: string }) => n.name)).toEqual(
      expect.arrayContaining(['govcloud-outbox-listener', 'govcloud-worker']),
    );
  });

  it('stops serving when SIGTERM drains the worker', async () => {
    await worker.stop(15_000);
    // Nest's shutdown hooks end by re-raising the signal: dying of SIGTERM, not of the SIGKILL fallback.
    expect(['0', 'SIGTERM']).toContain(await worker.exited);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
