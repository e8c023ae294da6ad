import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCode } from '../../src/common/errors.js';
import { QuotaDriftService } from '../../src/modules/quota/quota-drift.service.js';
import { startApp, type TestApp } from '../support/harness.js';
import { QuotaDriver } from '../support/quota.js';

const exceeded = (dimension: string, asked: number, limit: number, used: number) =>
  expect.objectContaining({
    code: ErrorCode.QuotaExceeded,
    message: expect.stringMatching(
      new RegExp(`^${dimension}: asked ${asked}, .* limit ${limit}, used ${used}`),
    ),
    details: expect.objectContaining({ dimension, asked, limit, used }),
  });

describe('quota admission through the service', () => {
  let t: TestApp;
  let q: QuotaDriver;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;

  beforeAll(async () => {
    t = await startApp();
    q = new QuotaDriver(t);
    tree = await t.world.city();
    await q.limits(tree.city.id, { vcpu: 100, memoryGiB: 400, instances: 20 });
    await q.limits(tree.district.id, { vcpu: 50, memoryGiB: 200, instances: 10 });
    await q.limits(tree.dept.id, { vcpu: 20, memoryGiB: 80, instances: 5 });
  });
  afterAll(() => t.close());

  it('reserves within the limit and refuses beyond it, naming dimension, asked, limit and use', async () => {
    await q.reserve(tree.dept.id, { vcpu: 16, memoryGiB: 32, instances: 1 });
    await expect(q.reserve(tree.dept.id, { vcpu: 8, memoryGiB: 8, instances: 1 })).rejects.toEqual(
      exceeded('vcpu', 8, 20, 16),
    );
    await expect(q.reserve(tree.dept.id, { memoryGiB: 64 })).rejects.toEqual(
      exceeded('memoryGiB', 64, 80, 32),
    );
    await expect(q.reserve(tree.dept.id, { instances: 5 })).rejects.toThrow(
      `instances: asked 5, but department ${tree.dept.code} has limit 5, used 1, available 4`,
    );
    expect(await q.ledgerSum(tree.dept.id)).toEqual({ vcpu: 16, memoryGiB: 32, instances: 1 });
  });

  it('a retried reserve or release is a no-op; release gives back exactly once', async () => {
    const dept = await t.world.department('department', tree.district);
    await q.limits(dept.id, { vcpu: 4 });
    const id = await q.reserve(dept.id, { vcpu: 3 });
    await q.reserve(dept.id, { vcpu: 3 }, id);
    expect((await q.ledgerSum(dept.id)).vcpu).toBe(3);
    await Promise.all([q.release(id), q.release(id), q.release(id)]);
    await q.release(id);
    expect((await q.ledgerSum(dept.id)).vcpu).toBe(0);
    const entries = await t.dataSource.query(
      'SELECT action, vcpu FROM quota_ledger WHERE resource_id = $1 ORDER BY id',
      [id],
    );
    expect(entries).toEqual([
      { action: 'reserve', vcpu: '3' },
      { action: 'release', vcpu: '-3' },
    ]);
    // A resource that never reserved has nothing to give back.
    await q.release(randomUUID());
    // The freed capacity is available again.
    await q.reserve(dept.id, { vcpu: 4 });
  });

  it('adjust moves a resource to new totals, reserving the increase and releasing the decrease', async () => {
    const dept = await t.world.department('department', tree.district);
    await q.limits(dept.id, { vcpu: 10, memoryGiB: 40 });
    const id = await q.reserve(dept.id, { vcpu: 2, memoryGiB: 4 });
    await q.adjust(dept.id, id, { vcpu: 8 });
    await q.adjust(dept.id, id, { vcpu: 8 });
    expect(await q.ledgerSum(dept.id)).toMatchObject({ vcpu: 8, memoryGiB: 4 });
    await expect(q.adjust(dept.id, id, { vcpu: 12 })).rejects.toEqual(
      expect.objectContaining({
        code: ErrorCode.QuotaExceeded,
        details: expect.objectContaining({ asked: 4 }),
      }),
    );
    await q.adjust(dept.id, id, { vcpu: 1, memoryGiB: 40 });
    expect(await q.ledgerSum(dept.id)).toMatchObject({ vcpu: 1, memoryGiB: 40 });
    await q.commit(id);
    await q.commit(id);
    await q.release(id);
    expect(await q.ledgerSum(dept.id)).toMatchObject({ vcpu: 0, memoryGiB: 0 });
    await expect(q.adjust(dept.id, id, { vcpu: 2 })).rejects.toMatchObject({ code: ErrorCode.Conflict });
  });

  it('a caller that catches QuotaExceeded and commits its transaction leaves no ledger entry', async () => {
    const dept = await t.world.department('department', tree.district);
    await q.limits(dept.id, { vcpu: 1 });
    const resourceId = randomUUID();
    await t.dataSource.transaction(async (m) => {
      await expect(
        q.service.reserve(m, { departmentId: dept.id, resourceId, amounts: { vcpu: 2 } }),
      ).rejects.toThrow(DomainError);
    });
    expect(
      await t.dataSource.query('SELECT 1 FROM quota_ledger WHERE resource_id = $1', [resourceId]),
    ).toEqual([]);
  });

  it('a department without limits admits nothing; unknown departments answer NotFound', async () => {
    const bare = await t.world.department('department', tree.city);
    await expect(q.reserve(bare.id, { instances: 1 })).rejects.toEqual(exceeded('instances', 1, 0, 0));
    await expect(q.reserve(randomUUID(), { instances: 1 })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it.each([
    ['negative', { vcpu: -1 }, 'amounts.vcpu'],
    ['fractional', { vcpu: 1.5 }, 'amounts.vcpu'],
    ['2^53', { memoryGiB: 2 ** 53 }, 'amounts.memoryGiB'],
    ['text', { gpu: '1' }, 'amounts.gpu'],
    ['unknown dimension', { floppies: 1 }, 'amounts.floppies'],
  ])('refuses %s amounts naming the field', async (_label, amounts, field) => {
    await expect(q.reserve(tree.dept.id, amounts as never)).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringMatching(new RegExp(`^${field}: `)),
    });
  });

  it('the drift check is clean, and reports a counter that no longer matches the ledger', async () => {
    const drift = t.app.get(QuotaDriftService);
    expect(await drift.check()).toMatchObject({ clean: true, differences: [] });
    const dept = await t.world.department('department', tree.district);
    await q.limits(dept.id, { vcpu: 5 });
    await q.reserve(dept.id, { vcpu: 2 });
    // Corrupt the cache on purpose, as a bug or a hand edit would.
    await t.dataSource.query('UPDATE department_quotas SET vcpu_used = 1 WHERE department_id = $1', [
      dept.id,
    ]);
    const report = await drift.check();
    expect(report.clean).toBe(false);
    expect(report.differences).toEqual([
      { departmentId: dept.id, dimension: 'vcpu', counter: 'used', cached: 1, actual: 2 },
    ]);
    await t.dataSource.query('UPDATE department_quotas SET vcpu_used = 2 WHERE department_id = $1', [
      dept.id,
    ]);
    expect((await drift.check()).clean).toBe(true);
  });

  it('the ledger is append-only', async () => {
    await expect(t.dataSource.query('UPDATE quota_ledger SET vcpu = 0')).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query('DELETE FROM quota_ledger')).rejects.toThrow(/append-only/);
  });
});
