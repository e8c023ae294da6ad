import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import { mockApi } from '../../test/api-mock';
import { fill, renderAt, signIn, user } from '../../test/render';
import type { QuotaRequest } from './QuotaRequests';

const amounts = (n: number) => ({ vcpu: n, memoryGiB: n, storageGiB: n, gpu: n, publicIp: n, instances: n });

describe('quota requests', () => {
  it('lists the department’s requests and asks for new absolute limits with a reason', async () => {
    signIn();
    const requests: QuotaRequest[] = [
      {
        id: 'q1',
        departmentId: 'd1',
        limits: { vcpu: 64 },
        reason: '人口库扩容',
        state: 'approved',
        requestedBy: 'u1',
        approvedLimits: { vcpu: 48 },
        decidedBy: 'u2',
        decidedAt: '2026-11-30T09:00:00Z',
        decisionComment: '部分批准',
        createdAt: '2026-11-29T09:00:00Z',
      },
    ];
    const calls = mockApi(({ method, path, body }) => {
      if (path === '/departments/d1/quota')
        return {
          body: {
            departmentId: 'd1',
            limits: amounts(32),
            used: amounts(0),
            allocatedToChildren: amounts(0),
            available: amounts(32),
          },
        };
      if (method === 'GET' && path.startsWith('/quota-requests'))
        return { body: { items: requests, total: requests.length } };
      if (method === 'POST' && path === '/quota-requests') {
        const asked = body as { limits: QuotaRequest['limits']; reason: string };
        requests.unshift({
          ...requests[0],
          id: 'q2',
          ...asked,
          state: 'pending',
          approvedLimits: null,
          decisionComment: null,
        });
        return { status: 201, body: requests[0] };
      }
      return undefined;
    });
    renderAt('/quota-requests');
    const row = (await screen.findByText('人口库扩容')).closest('tr')!;
    expect(within(row).getByText('已批准')).toBeTruthy();
    expect(within(row).getByText('vCPU（核） 48')).toBeTruthy();
    expect(within(row).getByText('部分批准')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: '申请配额' }));
    const dialog = await screen.findByRole('dialog');
    const vcpu = within(dialog).getByLabelText('vCPU（核）');
    expect((vcpu as HTMLInputElement).value).toBe('32');
    fill(vcpu, '96');
    fill(within(dialog).getByLabelText('申请理由'), '新系统上线');
    await user.click(within(dialog).getByRole('button', { name: '提 交' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({
      departmentId: 'd1',
      limits: { ...amounts(32), vcpu: 96 },
      reason: '新系统上线',
    });
    const pending = (await screen.findByText('新系统上线', { selector: 'td' })).closest('tr')!;
    expect(within(pending).getByText('待审批')).toBeTruthy();
  });
});
