// Fault injection (npm run test:faults; npm test runs it too). Two API processes and three workers on
// a PostgreSQL and a Redis of the test's own, under a bounded mixed load, while it SIGKILLs workers,
// restarts and flushes Redis, restarts PostgreSQL and pauses a pool's driver. Afterwards: nothing the API
// accepted is lost, nothing exists twice in a pool (fake and a real libvirtd), the quota ledger matches
// the resources, every change is audited, and the time each recovery took is printed (not asserted).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { FakePool } from '../../libs/drivers/index.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { World } from '../support/harness.js';
import { GENEROUS } from '../support/provisioning.js';
import { duplicates, drift, LIBVIRT_URI, lost, unaudited, virsh } from './checks.js';
import { Cluster } from './cluster.js';
import { Api, Load, type Fixture } from './load.js';

interface Recovery {
  fault: string;
  /** How long the fault lasted (the service down, the pool paused). */
  faultMs?: number;
  /** From the end of the fault to the system whole again. */
  recoveredMs: number;
  detail: string;
}

/** Polls `check` until it answers true; answers the milliseconds that took. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not recovered within ${timeoutMs} ms: ${what}`);
    await sleep(200);
  }
}

describe('fault injection: workers killed, Redis and PostgreSQL restarted, a driver paused', () => {
  let cluster: Cluster;
  let db: DataSource;
  let cloud: Redis;
  let api: Api;
  let f: Fixture;
  const libvirtIds = new Set<string>();

  beforeAll(async () => {
    cluster = await Cluster.start((line) => console.warn(line));
    db = new DataSource(dataSourceOptions(cluster.databaseUrl));
    await db.initialize();
    cloud = new Redis(cluster.cloudRedisUrl);
    api = new Api(cluster.apiUrls);
    const world = new World(db, new JwtService());
    const tree = await world.city();
    const operator = await world.token('operator');
    for (const d of [tree.city, tree.district, tree.dept]) {
      const res = await api.send('PUT', `/api/v1/departments/${d.id}/quota`, {
        token: operator,
        json: { limits: GENEROUS },
      });
      expect(res.status).toBe(200);
    }
    const pool = async (body: Record<string, unknown>) => {
      const res = await api.send('POST', '/api/v1/pools', {
        token: operator,
        json: { capacity: { vcpu: 256, memoryGiB: 1024, storageGiB: 20_000, gpu: 0 }, ...body },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    f = {
      departmentId: tree.dept.id,
      departmentCode: tree.dept.code,
      unitId: tree.unit.id,
      // Driver calls take a while, so kills and pauses catch jobs in the middle of one.
      fakePoolId: await pool({
        name: '故障注入-fake',
        type: 'fake',
        tier: 'provider',
        connection: '{"latencyMs": 150}',
      }),
      libvirtPoolId: await pool({
        name: '故障注入-libvirt',
        type: 'libvirt',
        tier: 'self-managed',
        connection: JSON.stringify({ uri: LIBVIRT_URI, domainType: 'qemu', shutdownTimeoutMs: 500 }),
      }),
      deptAdmin: await world.token('dept-admin', tree.dept.id),
      operator,
    };
  }, 240_000);

  afterAll(async () => {
    // Never leave a domain behind on the shared libvirtd, whatever failed: every resource ever placed on
    // the pool, not only those the load heard back about (a POST whose answer a fault cut off still
    // made its domain).
    const placed: Array<{ id: string }> = f
      ? await db.query(`SELECT id FROM resources WHERE pool_id = $1`, [f.libvirtPoolId]).catch(() => [])
      : [];
    for (const { id } of placed) libvirtIds.add(id);
    for (const id of libvirtIds) {
      for (const command of ['destroy', 'undefine']) {
        try {
          virsh(command, `gc-${id}`);
        } catch {
          // already off, or gone
        }
      }
    }
    cloud?.disconnect();
    await db?.destroy();
    await cluster?.stop();
  }, 120_000);

  /** Both API processes ready and serving an authenticated request. */
  const whole = async () => {
    for (const url of api.urls) {
      if ((await api.once('GET', '/readyz', {}, url)).status !== 200) return false;
      if ((await api.once('GET', '/api/v1/auth/me', { token: f.operator }, url)).status !== 200) return false;
    }
    return true;
  };

  /** What each API process answers now: readiness, a read and a write. */
  const probe = async () => {
    const answers: number[] = [];
    for (const url of api.urls) {
      answers.push((await api.once('GET', '/readyz', {}, url)).status);
      answers.push((await api.once('GET', '/api/v1/resources?limit=1', { token: f.deptAdmin }, url)).status);
      answers.push(
        (
          await api.once(
            'POST',
            '/api/v1/resources',
            {
              token: f.deptAdmin,
              json: {
                kind: 'vm',
                name: 'probe-while-down',
                poolId: f.fakePoolId,
                spec: { vcpu: 1, memoryGiB: 1, storageGiB: 1, image: 'x' },
              },
            },
            url,
          )
        ).status,
      );
    }
    return answers;
  };

  it('loses nothing, duplicates nothing, drifts nothing, audits everything; and recovers', async () => {
    const fake = new FakePool(cloud, f.fakePoolId);
    const recoveries: Recovery[] = [];
    const load = new Load(api, f);
    load.start(4, 150_000);

    // SIGKILL a random worker every few seconds (a replacement starts at once, as a supervisor would).
    const kills: Array<Promise<number>> = [];
    let faultsDone = false;
    const killer = (async () => {
      while (!faultsDone) {
        await sleep(2500 + Math.random() * 2500);
        const replaced = faultsDone ? undefined : cluster.killRandomWorker();
        if (replaced) kills.push(replaced);
      }
    })();

    let faultFailed: unknown;
    try {
      await sleep(4000);

      // Redis restarted: it keeps nothing, so every queued job and lock is gone.
      let readyWhileRedisDown: number[] = [];
      const redisDownAt = Date.now();
      await cluster.restartRedis(3000, async () => {
        await sleep(500);
        readyWhileRedisDown = await Promise.all(
          api.urls.map(async (url) => (await api.once('GET', '/readyz', {}, url)).status),
        );
      });
      const redisDownMs = Date.now() - redisDownAt;
      recoveries.push({
        fault: 'Redis 重启 restart',
        faultMs: redisDownMs,
        recoveredMs: await until('both APIs ready after the Redis restart', whole),
        detail: `/readyz while down: ${readyWhileRedisDown.join(', ')}`,
      });
      expect(readyWhileRedisDown).toEqual([503, 503]);
      await sleep(2000);

      // Redis flushed: the jobs of every unfinished outbox row vanish; the relays must notice and re-enqueue.
      const pending: Array<{ id: string }> = await db.query(
        `SELECT id FROM outbox_messages WHERE done_at IS NULL`,
      );
      await cluster.flushRedis();
      recoveries.push({
        fault: 'Redis 清空 FLUSHALL',
        recoveredMs: await until('every job pending at the flush done', async () => {
          const [{ n }] = await db.query(
            `SELECT count(*)::int AS n FROM outbox_messages WHERE id = ANY($1) AND done_at IS NULL`,
            [pending.map((p) => p.id)],
          );
          return n === 0;
        }),
        detail: `${pending.length} jobs pending at the flush`,
      });
      await sleep(2000);

      // PostgreSQL restarted: the API answers 503 (readiness and requests) and recovers on its own.
      let whileDown: number[] = [];
      const pgDownAt = Date.now();
      await cluster.restartPostgres(5000, async () => {
        await sleep(500);
        whileDown = await probe();
      });
      const pgDownMs = Date.now() - pgDownAt;
      recoveries.push({
        fault: 'PostgreSQL 重启 restart',
        faultMs: pgDownMs,
        recoveredMs: await until('both APIs ready and serving after the PostgreSQL restart', whole),
        detail: `readyz/read/write while down: ${whileDown.join(', ')}`,
      });
      expect(whileDown).toEqual([503, 503, 503, 503, 503, 503]);
      await sleep(2000);

      // The fake pool's driver hangs (a stuck API server) in every worker, then answers again.
      await fake.pause();
      const pausedAt = Date.now();
      await sleep(6000);
      const stuck: Array<{ id: string }> = await db.query(
        `SELECT id FROM resources WHERE pool_id = $1 AND state <> 'failed' AND state::text <> desired_state::text`,
        [f.fakePoolId],
      );
      await fake.resume();
      const pausedMs = Date.now() - pausedAt;
      recoveries.push({
        fault: '驱动挂起 driver paused',
        faultMs: pausedMs,
        recoveredMs: await until('every resource waiting on the paused pool settled', async () => {
          const [{ n }] = await db.query(
            `SELECT count(*)::int AS n FROM resources
             WHERE id = ANY($1) AND state <> 'failed' AND state::text <> desired_state::text`,
            [stuck.map((s) => s.id)],
          );
          return n === 0;
        }),
        detail: `${stuck.length} resources waiting on it at resume`,
      });
    } catch (error) {
      faultFailed = error;
    }
    faultsDone = true;
    let killerFailed: unknown;
    const replacedInMs = await killer
      .then(() => Promise.all(kills))
      .catch((error: unknown) => ((killerFailed = error), [] as number[]));
    await load.stop();
    for (const r of load.resources) if (r.pool === 'libvirt') libvirtIds.add(r.id);
    if (faultFailed || killerFailed) throw faultFailed ?? killerFailed;
    recoveries.unshift({
      fault: `工作进程 SIGKILL worker ×${replacedInMs.length}`,
      recoveredMs: Math.max(0, ...replacedInMs),
      detail:
        `replacement ready in ${Math.min(...replacedInMs)}–${Math.max(...replacedInMs)} ms; ` +
        `${cluster.bootFailures} exited while starting (database down) and were started again`,
    });

    // Let the system finish what it accepted, then check.
    const settleMs = await until(
      'all accepted work settled',
      async () => (await lost(db, load)).length === 0,
      120_000,
    ).catch(() => -1);
    const findings = {
      lost: await lost(db, load),
      ...(await duplicates(db, fake, f.libvirtPoolId)),
      drift: await drift(db, api, f.operator),
      unaudited: await unaudited(db, load),
    };

    // Each deadlock costs a 503 or a job retry with backoff; every path locks quota row, then pool row.
    const [{ deadlocks }] = await db.query(
      `SELECT deadlocks::int AS deadlocks FROM pg_stat_database WHERE datname = current_database()`,
    );
    const statuses = [...api.statuses]
      .sort()
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    const table = [
      '故障注入结果 fault injection results',
      '| 故障 fault | 持续 lasted ms | 恢复 recovered ms | 说明 detail |',
      '| --- | ---: | ---: | --- |',
      ...recoveries.map((r) => `| ${r.fault} | ${r.faultMs ?? ''} | ${r.recoveredMs} | ${r.detail} |`),
      '',
      `负载 load: ${load.count} operations, ${load.accepted.length} accepted; ${load.resources.length} resources ` +
        `(${libvirtIds.size} on libvirt), ${load.deleted.size} deletes, ${load.quotaRequests.length} quota requests, ` +
        `${load.importedSystems.length} systems imported; settled ${settleMs} ms after the load stopped`,
      `应答 answers: ${statuses}`,
      '| 检查 check | 数量 count |',
      '| --- | ---: |',
      `| 丢失 lost | ${findings.lost.length} |`,
      `| 重复 duplicates | ${findings.duplicates.length} |`,
      `| 资源池不一致 pool out of step | ${findings.outOfStep.length} |`,
      `| 配额漂移 quota drift | ${findings.drift.length} |`,
      `| 未审计 unaudited | ${findings.unaudited.length} |`,
      `| 500 应答 answered 500 | ${api.serverErrors.length} |`,
      `| 死锁 deadlocks | ${deadlocks} |`,
    ].join('\n');
    console.log(table);

    const failed: Array<{ state: string }> = await db.query(
      `SELECT state FROM resources WHERE state = 'failed'`,
    );
    expect({
      ...findings,
      serverErrors: api.serverErrors,
      unexpected: load.unexpected,
      failed: failed.length,
      deadlocks,
    }).toEqual({
      lost: [],
      duplicates: [],
      outOfStep: [],
      drift: [],
      unaudited: [],
      serverErrors: [],
      unexpected: [],
      failed: 0,
      deadlocks: 0,
    });
    expect(replacedInMs.length).toBeGreaterThan(0);
    expect(recoveries.every((r) => r.recoveredMs >= 0)).toBe(true);
  }, 360_000);

  it('cleans up its libvirt domains through the API', async () => {
    for (const id of libvirtIds) {
      const res = await api.send('DELETE', `/api/v1/resources/${id}`, { token: f.deptAdmin });
      expect([202, 409]).toContain(res.status); // 409: deleted already
    }
    await until('libvirt resources deleted', async () => {
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM resources WHERE pool_id = $1 AND state <> 'deleted'`,
        [f.libvirtPoolId],
      );
      return n === 0;
    });
    const left = virsh('list', '--all', '--name')
      .split('\n')
      .filter((name) => [...libvirtIds].some((id) => name.includes(id)));
    expect(left).toEqual([]);
  }, 180_000);
});
