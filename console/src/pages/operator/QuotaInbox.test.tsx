import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import { mockApi, type Call } from '../../test/api-mock';
import { fill, renderAt, signIn, user } from '../../test/render';
import type { QuotaRequest } from '../dept/QuotaRequests';

const request: QuotaRequest = {
  id: 'q1',
  departmentId: 'd1',
  limits: { vcpu: 64, memoryGiB: 256, gpu: 2 },
  reason: '人口库扩容',
  state: 'pending',
  requestedBy: 'u2',
  approvedLimits: null,
  decidedBy: null,
  decidedAt: null,
  decisionComment: null,
  createdAt: '2026-11-30T08:00:00Z',
};
const amounts = (n: number) => ({ vcpu: n, memoryGiB: n, storageGiB: n, gpu: n, publicIp: n, instances: n });
const quota = {
  departmentId: 'd1',
  limits: amounts(32),
  used: amounts(8),
  allocatedToChildren: amounts(0),
  available: amounts(24),
};

/** A fake API with one pending request; `decide` answers the approve and reject calls. */
function inbox(decide: (call: Call) => { status?: number; body?: unknown } | undefined): Call[] {
  signIn({ role: 'operator' });
  return mockApi((call) => {
    const { method, path } = call;
    if (path === '/departments')
      return { body: [{ id: 'd1', name: '市公安局', nameEn: 'Public Security Bureau' }] };
    if (path.startsWith('/quota-requests?')) {
      const state = new URLSearchParams(path.split('?')[1]).get('state');
      const items = !state || state === 'pending' ? [request] : [];
      return { body: { items, total: items.length } };
    }
    if (path === '/departments/d1/quota') return { body: quota };
    if (method === 'POST') return decide(call);
    return undefined;
  });
}

const openDecision = async (button: '批 准' | '驳 回') => {
  const row = (await screen.findByText('人口库扩容')).closest('tr')!;
  expect(await within(row).findByText('市公安局')).toBeTruthy();
  await user.click(within(row).getByRole('button', { name: button }));
  return screen.findByRole('dialog');
};

describe('quota approval inbox', () => {
  it('lists pending requests first and filters by state on the server', async () => {
    const calls = inbox(() => undefined);
    renderAt('/approvals');
    const row = (await screen.findByText('人口库扩容')).closest('tr')!;
    expect(within(row).getByText('vCPU（核） 64 · 内存（GiB） 256 · GPU（块） 2')).toBeTruthy();
    expect(within(row).getByText('待审批')).toBeTruthy();
    expect(calls.find((c) => c.path.startsWith('/quota-requests?'))?.path).toContain('state=pending');

    await user.click(screen.getByRole('combobox', { name: '审批状态' }));
    await user.click(await screen.findByTitle('已批准'));
    await waitFor(() => expect(screen.queryByText('人口库扩容')).toBeNull());
    expect(calls.at(-1)?.path).toContain('state=approved');

    await user.click(screen.getByText('English'));
    expect(await screen.findByRole('columnheader', { name: 'Department' })).toBeTruthy();
  });

  it('approves in part: sends only the limits granted, lowered or left out', async () => {
    const calls = inbox(() => ({ body: { ...request, state: 'approved' } }));
    renderAt('/approvals');
    const dialog = await openDecision('批 准');
    expect(within(dialog).getByText('申请值：64')).toBeTruthy();
    expect(await within(dialog).findByRole('columnheader', { name: '剩余' })).toBeTruthy();
    fill(within(dialog).getByLabelText('vCPU（核）'), '48');
    fill(within(dialog).getByLabelText('GPU（块）'), '');
    fill(within(dialog).getByLabelText('审批意见'), '先批 48 核');
    await user.click(within(dialog).getByRole('button', { name: '批 准' }));
    expect(await screen.findByText('已批准，新限额已生效')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')).toEqual({
      method: 'POST',
      path: '/quota-requests/q1/approve',
      body: { limits: { vcpu: 48, memoryGiB: 256 }, comment: '先批 48 核' },
    });
  });

  it('approves in full without naming limits', async () => {
    const calls = inbox(() => ({ body: { ...request, state: 'approved' } }));
    renderAt('/approvals');
    const dialog = await openDecision('批 准');
    await user.click(within(dialog).getByRole('button', { name: '批 准' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({}));
  });

  it('shows a 4xx naming a limit next to that limit', async () => {
    inbox(() => ({
      status: 400,
      body: {
        statusCode: 400,
        error: 'InvalidInput',
        message: 'limits.memoryGiB: must be at most the 256 asked for',
        field: 'limits.memoryGiB',
      },
    }));
    renderAt('/approvals');
    const dialog = await openDecision('批 准');
    fill(within(dialog).getByLabelText('vCPU（核）'), '1');
    await user.click(within(dialog).getByRole('button', { name: '批 准' }));
    const message = await within(dialog).findByText('limits.memoryGiB: must be at most the 256 asked for');
    const field = message.closest('.ant-form-item') as HTMLElement;
    expect(within(field).getByText('内存（GiB）')).toBeTruthy();
    expect(within(dialog).queryByRole('alert', { name: /limits.memoryGiB/ })).toBeNull();
  });

  it('rejects only with a reason', async () => {
    const calls = inbox(() => ({ body: { ...request, state: 'rejected' } }));
    renderAt('/approvals');
    const dialog = await openDecision('驳 回');
    await user.click(within(dialog).getByRole('button', { name: '驳 回' }));
    expect(await within(dialog).findByText('请填写驳回理由')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    fill(within(dialog).getByLabelText('驳回理由'), '资源池容量不足，请下季度再申请');
    await user.click(within(dialog).getByRole('button', { name: '驳 回' }));
    expect(await screen.findByText('已驳回')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')).toEqual({
      method: 'POST',
      path: '/quota-requests/q1/reject',
      body: { reason: '资源池容量不足，请下季度再申请' },
    });
  });
});
