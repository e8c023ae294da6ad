import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn, user } from '../../test/render';
import type { Resource } from './Resources';

const resource = (name: string, state: Resource['state'], extra: Partial<Resource> = {}): Resource => ({
  id: `id-${name}`,
  departmentId: 'd1',
  poolId: 'p1',
  kind: 'vm',
  name,
  spec: { vcpu: 2, memoryGiB: 4, storageGiB: 40, image: 'debian-12' },
  state,
  desiredState: 'running',
  failureReason: null,
  createdAt: '2026-11-30T08:00:00Z',
  ...extra,
});

const renderResources = () => renderAt('/resources');

describe('my resources', () => {
  it('lists resources with their state, filters by state, and acts on one', async () => {
    signIn();
    const items = [
      resource('人口库-db-01', 'running'),
      resource('web-02', 'failed', { failureReason: 'image not found' }),
    ];
    const calls = mockApi(({ method, path }) => {
      if (method === 'GET' && path.startsWith('/resources?')) {
        const state = new URLSearchParams(path.split('?')[1]).get('state');
        const shown = items.filter((r) => !state || r.state === state);
        return { body: { items: shown, total: shown.length } };
      }
      if (method === 'POST') return { status: 202, body: items[0] };
      return undefined;
    });
    renderResources();
    const row = (await screen.findByText('人口库-db-01')).closest('tr')!;
    expect(within(row).getByText('运行中')).toBeTruthy();
    expect(within(row).getByText('2 核 / 4 GiB 内存 / 40 GiB 存储')).toBeTruthy();
    const failed = screen.getByText('web-02').closest('tr')!;
    expect(within(failed).getByText('image not found')).toBeTruthy();
    expect(within(failed).getByRole('button', { name: '重 试' })).toBeTruthy();
    expect(screen.getByText('共 2 条')).toBeTruthy();

    await user.click(within(row).getByRole('button', { name: '停 止' }));
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'POST' && c.path === '/resources/id-人口库-db-01/stop')).toBe(
        true,
      ),
    );

    await user.click(screen.getByRole('combobox', { name: '状态' }));
    await user.click(await screen.findByTitle('失败'));
    await waitFor(() => expect(screen.queryByText('人口库-db-01')).toBeNull());
    expect(calls.at(-1)?.path).toContain('state=failed');
    expect(screen.getByText('web-02')).toBeTruthy();
  });

  it('switches its labels between Chinese and English', async () => {
    signIn();
    mockApi(() => ({ body: { items: [resource('app-01', 'stopped')], total: 1 } }));
    renderResources();
    expect(await screen.findByText('已停止')).toBeTruthy();
    expect(screen.getAllByText('我的资源').length).toBeGreaterThan(0);
    expect(screen.getByRole('columnheader', { name: '状态' })).toBeTruthy();

    await user.click(screen.getByText('English'));
    expect(await screen.findByText('Stopped')).toBeTruthy();
    expect(screen.getAllByText('My resources').length).toBeGreaterThan(0);
    expect(screen.getByRole('columnheader', { name: 'State' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Start' })).toBeTruthy();
    expect(screen.getByText('Department admin')).toBeTruthy();
    expect(screen.queryByText('已停止')).toBeNull();
  });
});
