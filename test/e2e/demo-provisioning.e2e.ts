import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { In } from 'typeorm';
import { DEMO_PASSWORD, seedDemoCity } from '../../src/demo/demo-city.js';
import { seedDemoQuotas } from '../../src/demo/demo-quotas.js';
import { DEMO_USAGE, demoUsagePeriod, seedDemoUsage } from '../../src/demo/demo-usage.js';
import { Dec } from '../../src/modules/billing/money.js';
import { parsePeriod } from '../../src/modules/billing/period.js';
import { DEMO_POOLS, DEMO_RATE_CARDS } from '../../src/demo/demo-provisioning.js';
import { Pool } from '../../src/modules/provisioning/entities/pool.entity.js';
import { Resource } from '../../src/modules/provisioning/entities/resource.entity.js';
import { Reconciler } from '../../src/modules/provisioning/jobs/reconciler.service.js';
import { Department } from '../../src/modules/tenancy/entities/department.entity.js';
import { BillingWorld } from '../support/billing.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';

describe('demo city: pools and quota so a demo login can provision', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
    await seedDemoCity(t.dataSource);
    await seedDemoQuotas(t.app);
    await seedDemoUsage(t.app);
  });
  afterAll(() => t.close());

  const financeToken = async () =>
    (
      await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: 'finance', password: DEMO_PASSWORD })
        .expect(200)
    ).body.accessToken as string;

  const ask = async (code: string) => {
    const department = await t.dataSource.getRepository(Department).findOneByOrFail({ code });
    const token = await t.world.token('dept-admin', department.id);
    return t
      .http()
      .post('/api/v1/resources')
      .set(bearer(token))
      .send({
        kind: 'vm',
        name: '演示虚拟机',
        spec: { vcpu: 2, memoryGiB: 4, storageGiB: 50, image: 'debian-12' },
      })
      .expect(202);
  };

  it('places 市统计局 on the provider pool and the critical 市公安局 on the self-managed pool', async () => {
    // Other suites' pools share the database, some of them real (a libvirt pool would boot a 4 GiB VM
    // that nobody deletes): while this test asks, only the demo's own pools are enabled.
    const others: Array<{ id: string }> = await t.dataSource.query(
      `WITH off AS (UPDATE pools SET enabled = false WHERE enabled AND name <> ALL($1) RETURNING id) SELECT id FROM off`,
      [DEMO_POOLS.map(([name]) => name)],
    );
    try {
      const demoPools = await t.dataSource
        .getRepository(Pool)
        .findBy({ name: In(DEMO_POOLS.map(([name]) => name)) });
      expect(demoPools.map((p) => p.tier).sort()).toEqual(['provider', 'self-managed']);
      const tierOf = (poolId: string) => demoPools.find((p) => p.id === poolId)?.tier;
      expect(tierOf((await ask('tjj')).body.poolId)).toBe('provider');
      const gaj = (await ask('gaj')).body;
      expect(gaj.critical).toBe(true);
      expect(tierOf(gaj.poolId)).toBe('self-managed');
    } finally {
      await t.dataSource.query(`UPDATE pools SET enabled = true WHERE id = ANY($1::uuid[])`, [
        others.map((p) => p.id),
      ]);
    }
  });

  it('prices each demo pool with a tender card, so the demo finance login computes a rebill at once', async () => {
    const finance = await financeToken();
    const pools = await t.dataSource
      .getRepository(Pool)
      .findBy({ name: In(DEMO_POOLS.map(([name]) => name)) });
    const cards = (await t.http().get('/api/v1/rate-cards').set(bearer(finance)).expect(200)).body;
    // Prices compared as numbers: the API answers 6.8 for a typed 6.80.
    const exact = (prices: object): unknown =>
      JSON.parse(JSON.stringify(prices), (_key, v: unknown) =>
        typeof v === 'string' ? new Dec(v).toFixed() : v,
      );
    for (const pool of pools) {
      const mine = cards.filter((c: { poolId: string }) => c.poolId === pool.id);
      expect(mine).toHaveLength(1);
      expect(exact(mine[0].prices)).toEqual(exact(DEMO_RATE_CARDS[pool.tier].prices));
    }
    // 市统计局 ran 2 vCPU, 4 GiB and 50 GiB on the provider pool for ten days of July 2025 (240 h):
    // vCPU 2 × 240 × 0.0825 = 39.60, memory 4 × 240 × 0.0215 = 20.64, storage held all month 50 × 0.35 = 17.50.
    const tjj = await t.dataSource.getRepository(Department).findOneByOrFail({ code: 'tjj' });
    const provider = pools.find((p) => p.tier === 'provider')!;
    const resource = await new BillingWorld(t.dataSource).resource(
      tjj.id,
      provider.id,
      { vcpu: 2, memoryGiB: 4, storageGiB: 50 },
      [
        ['running', '2025-07-01T00:00:00Z'],
        ['stopped', '2025-07-11T00:00:00Z'],
      ],
    );
    const run = (
      await t.http().post('/api/v1/rebills').set(bearer(finance)).send({ period: '2025-07' }).expect(201)
    ).body;
    const own = (
      await t.http().get(`/api/v1/rebills/${run.id}/departments/${tjj.id}`).set(bearer(finance)).expect(200)
    ).body;
    expect(
      own.lines.items
        .filter((l: { resourceId: string }) => l.resourceId === resource)
        .map((l: { dimension: string; amount: string }) => [l.dimension, l.amount]),
    ).toEqual([
      ['memoryGiB', '20.64'],
      ['storageGiB', '17.50'],
      ['vcpu', '39.60'],
    ]);
  });

  it('gives the demo a month of usage: last month rebills for every seeded department, consistent with quota and pools', async () => {
    const departments = await t.dataSource
      .getRepository(Department)
      .findBy({ code: In([...new Set(DEMO_USAGE.map((r) => r.department))]) });
    const finance = await financeToken();
    const run = (
      await t
        .http()
        .post('/api/v1/rebills')
        .set(bearer(finance))
        .send({ period: demoUsagePeriod() })
        .expect(201)
    ).body;
    expect(new Dec(run.total).gt(0)).toBe(true);
    for (const department of departments) {
      const own = (
        await t
          .http()
          .get(`/api/v1/rebills/${run.id}/departments/${department.id}`)
          .set(bearer(finance))
          .expect(200)
      ).body;
      expect([department.code, own.lines.items.length > 0]).toEqual([department.code, true]);
    }
    // The life the seed describes, through the real paths: one resized, one stopped, one deleted.
    const seeded = await t.dataSource
      .getRepository(Resource)
      .findBy({ name: In(DEMO_USAGE.map((r) => r.name)) });
    const byName = new Map(seeded.map((r) => [r.name, r]));
    expect(byName.get('统计门户-web-01')).toMatchObject({
      state: 'running',
      spec: { vcpu: 8, memoryGiB: 16 },
    });
    expect(byName.get('预算一体化-app-01')?.state).toBe('stopped');
    expect(byName.get('健康档案-test-01')?.state).toBe('deleted');
    // Every event dated inside last month: the first at its start, none after its end.
    const [{ first, last }] = await t.dataSource.query(
      `SELECT min(occurred_at) AS first, max(occurred_at) AS last FROM resource_events WHERE resource_id = ANY($1::uuid[])`,
      [seeded.map((r) => r.id)],
    );
    const { from, end } = parsePeriod(demoUsagePeriod());
    expect(new Date(first).getTime()).toBeGreaterThanOrEqual(from.getTime());
    expect(new Date(last).getTime()).toBeLessThan(end.getTime());
    expect(seeded.filter((r) => r.createdAt >= end)).toEqual([]);

    // Quota ledger, pool allocation and the fake pools' objects agree with the resources.
    const operator = await t.world.token('operator');
    const drift = (await t.http().get('/api/v1/quota/drift').set(bearer(operator)).expect(200)).body;
    expect(drift.differences).toEqual([]);
    const demoPools = await t.dataSource
      .getRepository(Pool)
      .findBy({ name: In(DEMO_POOLS.map(([name]) => name)) });
    const reports = await t.app.get(Reconciler).reconcileAll(demoPools.map((p) => p.id));
    // (The rebill test above wrote a bare stopped row on the provider pool, which the reconciler rightly recreates.)
    const ids = new Set(seeded.map((r) => r.id));
    expect(
      reports?.map((r) => [r.recreated.filter((id) => ids.has(id)), r.orphans, r.error, r.listed > 0]),
    ).toEqual(demoPools.map(() => [[], [], undefined, true]));

    // Seeding again changes nothing.
    const snapshot = () =>
      t.dataSource.query(
        `SELECT (SELECT count(*) FROM resources) AS resources, (SELECT count(*) FROM resource_events) AS events,
                (SELECT count(*) FROM quota_ledger) AS ledger, (SELECT count(*) FROM audit_entries) AS audit,
                (SELECT json_agg(allocated ORDER BY id) FROM pools) AS allocated`,
      );
    const before = await snapshot();
    await seedDemoUsage(t.app);
    expect(await snapshot()).toEqual(before);
  });
});
