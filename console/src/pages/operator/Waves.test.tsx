import { describe, expect, it } from '@jest/globals';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn } from '../../test/render';
import type { Wave } from './Waves';

const wave: Wave = {
  id: 'w1',
  name: '第一批 2026Q1',
  targetDate: '2026-03-31',
  note: null,
  systems: 4,
  byStatus: { migrated: 2, archived: 1, planned: 1 },
};

describe('migration waves', () => {
  it('shows each wave’s progress and fills one easy-first', async () => {
    signIn({ role: 'operator' });
    const calls = mockApi(({ method, path }) => {
      if (path === '/migration/waves') return { body: [wave] };
      if (path === '/departments') return { body: [{ id: 'd1', name: '市统计局', nameEn: null }] };
      if (method === 'POST' && path === '/migration/waves/w1/fill')
        return { body: [{ id: 's1' }, { id: 's2' }] };
      return undefined;
    });
    renderAt('/waves');
    const row = (await screen.findByText('第一批 2026Q1')).closest('tr')!;
    expect(within(row).getByText('3/4')).toBeTruthy();
    expect(within(row).getByText('已排期 1')).toBeTruthy();

    await userEvent.click(within(row).getByRole('button', { name: '先易后难填充' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.clear(within(dialog).getByRole('spinbutton'));
    await userEvent.type(within(dialog).getByRole('spinbutton'), '5');
    await userEvent.click(within(dialog).getByRole('combobox', { name: '全部部门' }));
    await userEvent.click(await screen.findByTitle('市统计局'));
    await userEvent.click(within(dialog).getByRole('button', { name: '先易后难填充' }));
    expect(await screen.findByText('已向“第一批 2026Q1”加入 2 个系统')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ size: 5, departmentId: 'd1' });
  });

  it('asks for the required fields, and shows the API’s complaint about a field next to it', async () => {
    signIn({ role: 'operator' });
    mockApi(({ method, path }) => {
      if (path === '/migration/waves') return { body: [wave] };
      if (method === 'POST')
        return {
          status: 400,
          body: { statusCode: 400, error: 'BadRequest', message: 'size must not be greater than 3 here' },
        };
      return { body: [] };
    });
    renderAt('/waves');
    await userEvent.click(await screen.findByRole('button', { name: '新建批次' }));
    const create = await screen.findByRole('dialog');
    await userEvent.click(within(create).getByRole('button', { name: '提 交' }));
    expect(await within(create).findByText('请填写批次名称')).toBeTruthy();
    expect(within(create).getByText('请选择目标日期')).toBeTruthy();
    await userEvent.click(within(create).getByRole('button', { name: '取 消' }));

    const row = screen.getByText('第一批 2026Q1').closest('tr')!;
    await userEvent.click(within(row).getByRole('button', { name: '先易后难填充' }));
    const fill = screen.getAllByRole('dialog').at(-1)!;
    await userEvent.click(within(fill).getByRole('button', { name: '先易后难填充' }));
    const field = (await within(fill).findByText('size must not be greater than 3 here')).closest(
      '.ant-form-item',
    ) as HTMLElement;
    expect(within(field).getByText('系统数量')).toBeTruthy();
  });
});
