import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn } from '../../test/render';
import type { Blockers, Room } from './ServerRooms';

const room = (name: string, status: Room['status'], extra: Partial<Room> = {}): Room => ({
  id: `room-${name}`,
  departmentId: 'd1',
  name,
  racks: 4,
  floorAreaM2: 60,
  pue: 2.3,
  utilisationPercent: 20,
  annualOmCost: '123456.78',
  candidate: true,
  candidateFlags: ['small', 'energy-hungry'],
  status,
  closedOn: null,
  budgetStopsOn: null,
  ...extra,
});

const blockers: Blockers = {
  hosts: [
    {
      id: 'h1',
      hostname: 'tjj-db-01',
      status: 'migrating',
      systems: [{ id: 's1', name: '统计直报系统', status: 'verifying' }],
    },
  ],
  systems: [{ id: 's2', name: '人口普查系统', status: 'planned' }],
};

describe('server rooms', () => {
  it('shows the blockers a refused closure names, then closes once they are gone', async () => {
    signIn({ role: 'operator' });
    let blocked = true;
    const calls = mockApi(({ method, path }) => {
      if (path === '/departments') return { body: [{ id: 'd1', name: '市统计局', nameEn: 'Statistics' }] };
      if (path.startsWith('/server-rooms?'))
        return { body: { items: [room('统计局机房', 'closing')], total: 1 } };
      if (method === 'POST' && path === '/server-rooms/room-统计局机房/close')
        return blocked
          ? {
              status: 409,
              body: { statusCode: 409, error: 'Conflict', message: 'server room cannot close', blockers },
            }
          : { body: room('统计局机房', 'closed') };
      return undefined;
    });
    renderAt('/server-rooms');
    const row = (await screen.findByText('统计局机房')).closest('tr')!;
    expect(within(row).getByText('规模小')).toBeTruthy();
    expect(within(row).getByText('关停中')).toBeTruthy();
    expect(await within(row).findByText('市统计局')).toBeTruthy();

    await userEvent.click(within(row).getByRole('button', { name: '关 停' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: '关 停' }));
    const list = await within(dialog).findByTestId('closure-blockers');
    expect(within(list).getByText('机房尚不能关停：1 台主机、1 个系统未完成迁移')).toBeTruthy();
    expect(within(list).getByText('tjj-db-01')).toBeTruthy();
    expect(within(list).getByText('统计直报系统（验证中）')).toBeTruthy();
    expect(within(list).getByText('人口普查系统')).toBeTruthy();
    expect(within(list).getByText('已排期')).toBeTruthy();

    blocked = false;
    await userEvent.click(within(dialog).getByRole('button', { name: '关 停' }));
    expect(await screen.findByText('机房已关停：统计局机房')).toBeTruthy();
    expect(calls.filter((c) => c.path.endsWith('/close'))).toHaveLength(2);
  });

  it('shows a bad closing date next to its field', async () => {
    signIn({ role: 'operator' });
    mockApi(({ method, path }) => {
      if (path.startsWith('/server-rooms?'))
        return { body: { items: [room('区机房', 'closing')], total: 1 } };
      if (method === 'POST')
        return {
          status: 400,
          body: { statusCode: 400, error: 'BadRequest', message: 'closedOn must be a real date' },
        };
      return { body: [] };
    });
    renderAt('/server-rooms');
    const row = (await screen.findByText('区机房')).closest('tr')!;
    await userEvent.click(within(row).getByRole('button', { name: '关 停' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: '关 停' }));
    const field = (await within(dialog).findByText('closedOn must be a real date')).closest(
      '.ant-form-item',
    )!;
    expect(within(field as HTMLElement).getByText('关停日期')).toBeTruthy();
  });

  it('offers only the moves the life cycle allows, and sends the chosen one', async () => {
    signIn({ role: 'operator' });
    const calls = mockApi(({ method, path }) => {
      if (path.startsWith('/server-rooms?')) return { body: { items: [room('旧机房', 'active')], total: 1 } };
      if (method === 'POST') return { body: room('旧机房', 'closure-planned') };
      return { body: [] };
    });
    renderAt('/server-rooms');
    const row = (await screen.findByText('旧机房')).closest('tr')!;
    expect(within(row).queryByRole('button', { name: '关 停' })).toBeNull();
    expect(within(row).getByRole('button', { name: '保 留' })).toBeTruthy();
    await userEvent.click(within(row).getByRole('button', { name: '计划关停' }));
    await userEvent.click(await screen.findByRole('button', { name: '确 定' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')).toEqual({
        method: 'POST',
        path: '/server-rooms/room-旧机房/transitions',
        body: { to: 'closure-planned' },
      }),
    );

    await userEvent.click(screen.getByText('English'));
    expect(await screen.findByRole('button', { name: 'Plan closure' })).toBeTruthy();
    expect(screen.getByText('Energy-hungry')).toBeTruthy();
  });

  it('shows auditors the rooms without the moves', async () => {
    signIn({ role: 'auditor', departmentId: null });
    mockApi(({ path }) =>
      path.startsWith('/server-rooms?')
        ? { body: { items: [room('旧机房', 'active')], total: 1 } }
        : { body: [] },
    );
    renderAt('/server-rooms');
    const row = (await screen.findByText('旧机房')).closest('tr')!;
    // Money with thousands separators, as every other amount of the console (formatMoney).
    expect(within(row).getByText('123,456.78')).toBeTruthy();
    expect(within(row).queryByRole('button')).toBeNull();
    expect(screen.queryByRole('columnheader', { name: '操作' })).toBeNull();
  });
});
