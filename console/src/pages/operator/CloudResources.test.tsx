import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn, user } from '../../test/render';
import type { Resource } from '../dept/Resources';

const resource = (name: string, departmentId: string, poolId: string): Resource => ({
  id: `id-${name}`,
  departmentId,
  poolId,
  kind: 'vm',
  name,
  spec: { vcpu: 2, memoryGiB: 4, storageGiB: 40, image: 'debian-12' },
  state: 'running',
  desiredState: 'running',
  failureReason: null,
  createdAt: '2026-11-30T08:00:00Z',
});

describe('all resources of the cloud (operators)', () => {
  it('shows each resource’s department and pool, and filters on both on the server', async () => {
    signIn({ role: 'operator' });
    const items = [resource('gaj-db-01', 'd1', 'p1'), resource('tjj-web-01', 'd2', 'p2')];
    const calls = mockApi(({ path }) => {
      if (path === '/departments')
        return {
          body: [
            { id: 'd1', name: '市公安局', nameEn: null },
            { id: 'd2', name: '市统计局', nameEn: null },
          ],
        };
      if (path === '/pools')
        return {
          body: [
            { id: 'p1', name: '政务云-供应商A' },
            { id: 'p2', name: '自建机房池' },
          ],
        };
      if (path.startsWith('/resources?')) {
        const query = new URLSearchParams(path.split('?')[1]);
        const shown = items.filter(
          (r) =>
            (!query.get('departmentId') || r.departmentId === query.get('departmentId')) &&
            (!query.get('poolId') || r.poolId === query.get('poolId')),
        );
        return { body: { items: shown, total: shown.length } };
      }
      return undefined;
    });
    renderAt('/cloud-resources');
    const row = (await screen.findByText('gaj-db-01')).closest('tr')!;
    expect(await within(row).findByText('市公安局')).toBeTruthy();
    expect(await within(row).findByText('政务云-供应商A')).toBeTruthy();
    expect(screen.getAllByText('全部资源').length).toBeGreaterThan(0);
    expect(screen.queryByRole('button', { name: '申请资源' })).toBeNull();

    await user.click(screen.getByRole('combobox', { name: '资源池' }));
    await user.click(await screen.findByTitle('自建机房池'));
    await waitFor(() => expect(screen.queryByText('gaj-db-01')).toBeNull());
    expect(calls.at(-1)?.path).toContain('poolId=p2');
    expect(screen.getByText('tjj-web-01')).toBeTruthy();

    await user.click(screen.getByRole('combobox', { name: '部门' }));
    await user.click(await screen.findByTitle('市公安局'));
    await waitFor(() => expect(calls.at(-1)?.path).toContain('departmentId=d1'));
    await waitFor(() => expect(screen.queryByText('tjj-web-01')).toBeNull());
  });
});
