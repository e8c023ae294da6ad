import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDemoCity } from '../../src/demo/demo-city.js';
import { seedDemoQuotas } from '../../src/demo/demo-quotas.js';
import { QuotaDriftService } from '../../src/modules/quota/quota-drift.service.js';
import { Department } from '../../src/modules/tenancy/entities/department.entity.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';

describe('demo city quotas', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('hands the city’s capacity down the tree, with two requests pending; seeding twice changes nothing', async () => {
    await seedDemoCity(t.dataSource);
    await seedDemoQuotas(t.app);
    await seedDemoQuotas(t.app);
    const city = await t.dataSource.getRepository(Department).findOneByOrFail({ code: 'city' });
    const operator = await t.world.token('operator');
    const quota = await t
      .http()
      .get(`/api/v1/departments/${city.id}/quota`)
      .set(bearer(operator))
      .expect(200);
    // 14 municipal bodies at 128 vCPU and two districts at 512.
    expect(quota.body).toMatchObject({
      limits: { vcpu: 4096 },
      allocatedToChildren: { vcpu: 14 * 128 + 2 * 512 },
    });
    const pending = await t
      .http()
      .get(`/api/v1/quota-requests?state=pending&departmentId=${city.id}`)
      .set(bearer(operator))
      .expect(200);
    expect(pending.body.total).toBe(2);
    expect((await t.app.get(QuotaDriftService).check()).clean).toBe(true);
  });
});
