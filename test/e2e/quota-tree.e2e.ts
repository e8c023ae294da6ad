import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QuotaDriftService } from '../../src/modules/quota/quota-drift.service.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { pauseBeforeAudit, waitForLockWaits } from '../support/locks.js';
import { QuotaDriver } from '../support/quota.js';

describe('quota allocations follow moves and deletions in the department tree', () => {
  let t: TestApp;
  let q: QuotaDriver;
  let operator: string;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;

  const allocated = async (departmentId: string) =>
    (await t.http().get(`/api/v1/departments/${departmentId}/quota`).set(bearer(operator)).expect(200)).body
      .allocatedToChildren;
  const move = (id: string, parentId: string) =>
    t.http().post(`/api/v1/departments/${id}/move`).set(bearer(operator)).send({ parentId });

  beforeAll(async () => {
    t = await startApp();
    q = new QuotaDriver(t);
    operator = await t.world.token('operator');
    tree = await t.world.city();
    await q.limits(tree.city.id, { vcpu: 1000 });
    await q.limits(tree.district.id, { vcpu: 100 });
  });
  afterAll(() => t.close());

  it('a moved department takes its limits to its new parent, if the new parent can fit them', async () => {
    const dept = await t.world.department('department', tree.district);
    await q.limits(dept.id, { vcpu: 60 });
    const small = await t.world.department('district', tree.city);
    await q.limits(small.id, { vcpu: 50 });

    const refused = await move(dept.id, small.id).expect(409);
    expect(refused.body.message).toBe(
      `quota: department ${dept.code} holds vcpu limit 60, but its new parent ${small.code} has limit 50, ` +
        'used 0, allocated to child departments 0, available 50',
    );
    expect((await allocated(tree.district.id)).vcpu).toBe(60);

    await move(dept.id, tree.city.id).expect(200);
    expect((await allocated(tree.district.id)).vcpu).toBe(0);
    // The city handed 100 to the district and 50 to the small district; now 60 more to the department.
    expect((await allocated(tree.city.id)).vcpu).toBe(210);
    expect(await t.app.get(QuotaDriftService).check()).toMatchObject({ clean: true });
  });

  it('limits set while the department moves are charged to the parent it ends up under', async () => {
    const from = await t.world.department('district', tree.city);
    const to = await t.world.department('district', tree.city);
    const dept = await t.world.department('department', from);
    await q.limits(from.id, { vcpu: 100 });
    await q.limits(to.id, { vcpu: 10 });
    // A quota row of zeros, as after a limit lowered to 0: the move has no limits to carry.
    await q.limits(dept.id, { vcpu: 0 });

    // The move stops just before it commits; the change of limits comes in then.
    const resume = await pauseBeforeAudit(t.dataSource);
    const moving = move(dept.id, to.id).then((res) => res);
    const setting = waitForLockWaits(t.dataSource, 1).then(() =>
      t
        .http()
        .put(`/api/v1/departments/${dept.id}/quota`)
        .set(bearer(operator))
        .send({ limits: { vcpu: 50 } })
        .then((res) => res),
    );
    await waitForLockWaits(t.dataSource, 2).finally(resume);
    expect((await moving).status).toBe(200);
    const refused = await setting;
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(to.code);
    expect((await allocated(from.id)).vcpu).toBe(0);
    expect((await allocated(to.id)).vcpu).toBe(0);
    expect(await t.app.get(QuotaDriftService).check()).toMatchObject({ clean: true });
  });

  it('a deleted department gives its limits back; one still using quota cannot be deleted', async () => {
    const idle = await t.world.department('department', tree.district);
    await q.limits(idle.id, { vcpu: 30 });
    const busy = await t.world.department('department', tree.district);
    await q.limits(busy.id, { vcpu: 20 });
    await q.reserve(busy.id, { vcpu: 1 });
    expect((await allocated(tree.district.id)).vcpu).toBe(50);

    await t.http().delete(`/api/v1/departments/${idle.id}`).set(bearer(operator)).expect(204);
    expect((await allocated(tree.district.id)).vcpu).toBe(20);
    await t.http().delete(`/api/v1/departments/${busy.id}`).set(bearer(operator)).expect(409);
    expect((await allocated(tree.district.id)).vcpu).toBe(20);
    expect(await t.app.get(QuotaDriftService).check()).toMatchObject({ clean: true });
  });
});
