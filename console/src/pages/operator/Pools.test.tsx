import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import { mockApi } from '../../test/api-mock';
import { fill, renderAt, signIn, user } from '../../test/render';
import type { Pool, ReconcileEvent } from './Pools';

const pool: Pool = {
  id: 'p1',
  name: '政务云-供应商A',
  type: 'kubevirt',
  tier: 'provider',
  enabled: true,
  capacity: { vcpu: 100, memoryGiB: 400, storageGiB: 10000, gpu: 0 },
  allocated: { vcpu: 25, memoryGiB: 100, storageGiB: 500, gpu: 0 },
  remaining: { vcpu: 75, memoryGiB: 300, storageGiB: 9500, gpu: 0 },
};

describe('pools', () => {
  it('shows each pool’s use of its capacity and adds capacity with a reason', async () => {
    signIn({ role: 'operator' });
    let refused = true;
    const calls = mockApi(({ method, path }) => {
      if (path === '/pools') return { body: [pool] };
      if (method === 'POST' && refused) {
        refused = false;
        return {
          status: 400,
          body: {
            statusCode: 400,
            error: 'BadRequest',
            message: 'amounts.vcpu must not be greater than 1000000000',
          },
        };
      }
      if (method === 'POST') return { body: pool };
      return undefined;
    });
    renderAt('/pools');
    const row = (await screen.findByText('政务云-供应商A')).closest('tr')!;
    expect(within(row).getByText('供应商')).toBeTruthy();
    expect(row.querySelector('[data-dimension="vcpu"]')!.textContent).toBe('已分配 25 / 总量 100');

    await user.click(within(row).getByRole('button', { name: '扩 容' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '提 交' }));
    expect(await within(dialog).findByText('请填写扩容原因')).toBeTruthy();
    fill(within(dialog).getByLabelText('vCPU（核）'), '32');
    fill(within(dialog).getByLabelText('内存（GiB）'), '128');
    fill(within(dialog).getByLabelText('扩容原因'), '统计局机房设备并入');
    await user.click(within(dialog).getByRole('button', { name: '提 交' }));
    const message = await within(dialog).findByText('amounts.vcpu must not be greater than 1000000000');
    expect(within(message.closest('.ant-form-item') as HTMLElement).getByText('vCPU（核）')).toBeTruthy();

    await user.click(within(dialog).getByRole('button', { name: '提 交' }));
    expect(await screen.findByText('已为 政务云-供应商A 扩容')).toBeTruthy();
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'POST').at(-1)).toEqual({
        method: 'POST',
        path: '/pools/p1/capacity',
        body: { amounts: { vcpu: 32, memoryGiB: 128 }, reason: '统计局机房设备并入' },
      }),
    );
  });

  it('shows what the reconciler found on a pool, orphans first to the eye', async () => {
    signIn({ role: 'operator' });
    const events: ReconcileEvent[] = [
      {
        id: '2',
        action: 'orphan',
        resourceId: null,
        objectName: 'gc-0f3c',
        detail: 'carries our labels (resource 0f3c, department tjj) but no live resource owns it',
        occurredAt: '2026-11-30T08:00:00.000Z',
      },
      {
        id: '3',
        action: 'capacity-drift',
        resourceId: null,
        objectName: null,
        detail: 'vcpu: 4 more allocated than live resources hold',
        occurredAt: '2026-11-30T09:00:00.000Z',
      },
      {
        id: '1',
        action: 'recreated',
        resourceId: 'r1',
        objectName: null,
        detail: 'object missing from the pool: converge queued',
        occurredAt: '2026-11-30T07:00:00.000Z',
      },
    ];
    const calls = mockApi(({ path }) => {
      if (path === '/pools') return { body: [pool] };
      if (path.startsWith('/pools/p1/reconcile-events')) return { body: { items: events, total: 7 } };
      return undefined;
    });
    renderAt('/pools');
    const row = (await screen.findByText('政务云-供应商A')).closest('tr')!;
    await user.click(within(row).getByRole('button', { name: '对账记录' }));
    const drawer = await screen.findByRole('dialog');
    expect(await within(drawer).findByText('对账记录：政务云-供应商A')).toBeTruthy();
    const orphan = (await within(drawer).findByText('gc-0f3c')).closest('tr')!;
    expect(within(orphan).getByText('孤儿对象')).toBeTruthy();
    expect(within(drawer).getByText('已重建')).toBeTruthy();
    const drift = within(drawer).getByText('vcpu: 4 more allocated than live resources hold').closest('tr')!;
    expect(within(drift).getByText('容量账目不符')).toBeTruthy();
    expect(within(drawer).getByText('最近 3 条，共 7 条')).toBeTruthy();
    expect(calls.map((c) => c.path)).toContain('/pools/p1/reconcile-events?limit=100');
  });
});
