import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import { mockApi } from '../../test/api-mock';
import { fill, renderAt, signIn, user } from '../../test/render';

const department = (id: string, name: string, kind: string, parentId: string | null, path: string) => ({
  id,
  code: id,
  name,
  nameEn: null,
  kind,
  parentId,
  path,
  critical: false,
});
const amounts = (n: number) => ({ vcpu: n, memoryGiB: n, storageGiB: n, gpu: n, publicIp: n, instances: n });

describe('departments and quotas', () => {
  it('shows the tree, a department’s quota, and sets only the limits changed', async () => {
    signIn({ role: 'operator' });
    let refused = true;
    const calls = mockApi(({ method, path }) => {
      if (path === '/departments')
        return {
          body: [
            department('c', '某市', 'city', null, '/c/'),
            department('g', '市公安局', 'department', 'c', '/c/g/'),
          ],
        };
      if (method === 'GET' && path === '/departments/g/quota')
        return {
          body: {
            departmentId: 'g',
            limits: amounts(100),
            used: amounts(10),
            allocatedToChildren: amounts(0),
            available: amounts(90),
          },
        };
      if (method === 'PUT' && refused) {
        refused = false;
        return {
          status: 400,
          body: {
            statusCode: 400,
            error: 'InvalidInput',
            message: 'limits.vcpu: 5 is below the 10 in use',
            field: 'limits.vcpu',
          },
        };
      }
      if (method === 'PUT') return { body: {} };
      return undefined;
    });
    renderAt('/departments');
    expect(await screen.findByText('在左侧选择一个部门，查看并设置配额')).toBeTruthy();
    await user.click(await screen.findByText('市公安局'));
    expect(await screen.findByRole('columnheader', { name: '已分配给下级' })).toBeTruthy();

    fill(screen.getByLabelText('vCPU（核）'), '5');
    await user.click(screen.getByRole('button', { name: '保存限额' }));
    const message = await screen.findByText('limits.vcpu: 5 is below the 10 in use');
    expect(within(message.closest('.ant-form-item') as HTMLElement).getByText('vCPU（核）')).toBeTruthy();

    fill(screen.getByLabelText('vCPU（核）'), '120');
    fill(screen.getByLabelText('GPU（块）'), '');
    await user.click(screen.getByRole('button', { name: '保存限额' }));
    expect(await screen.findByText('已更新 市公安局 的配额')).toBeTruthy();
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'PUT').at(-1)).toEqual({
        method: 'PUT',
        path: '/departments/g/quota',
        body: { limits: { vcpu: 120 } },
      }),
    );
  });
});
