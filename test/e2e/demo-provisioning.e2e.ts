import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { In } from 'typeorm';
import { seedDemoCity } from '../../src/demo/demo-city.js';
import { seedDemoQuotas } from '../../src/demo/demo-quotas.js';
import { DEMO_POOLS } from '../../src/demo/demo-provisioning.js';
import { Pool } from '../../src/modules/provisioning/entities/pool.entity.js';
import { Department } from '../../src/modules/tenancy/entities/department.entity.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';

describe('demo city: pools and quota so a demo login can provision', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
    await seedDemoCity(t.dataSource);
    await seedDemoQuotas(t.app);
  });
  afterAll(() => t.close());

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
    // Other suites' pools share the database: what matters is the tier placement chose.
    const tierOf = async (poolId: string) =>
      (await t.dataSource.getRepository(Pool).findOneByOrFail({ id: poolId })).tier;
    expect(await tierOf((await ask('tjj')).body.poolId)).toBe('provider');
    const gaj = (await ask('gaj')).body;
    expect(gaj.critical).toBe(true);
    expect(await tierOf(gaj.poolId)).toBe('self-managed');
    const demoPools = await t.dataSource
      .getRepository(Pool)
      .findBy({ name: In(DEMO_POOLS.map(([name]) => name)) });
    expect(demoPools.map((p) => p.tier).sort()).toEqual(['provider', 'self-managed']);
  });
});
