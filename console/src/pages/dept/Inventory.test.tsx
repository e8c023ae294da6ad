import { describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn, user } from '../../test/render';

describe('inventory', () => {
  it('lists systems with their migration status and shows every row error of a refused import', async () => {
    signIn();
    const calls = mockApi(({ method, path }) => {
      if (method === 'GET' && path.startsWith('/systems?'))
        return {
          body: {
            items: [
              {
                id: 's1',
                name: '人口库',
                architecture: 'B/S',
                difficultyScore: 3,
                suggestedStrategy: 'rehost',
                status: 'migrating',
              },
              {
                id: 's2',
                name: '档案库',
                architecture: 'other',
                difficultyScore: 2,
                suggestedStrategy: 'rehost',
                status: 'planned',
              },
            ],
            total: 2,
          },
        };
      if (method === 'GET' && path.startsWith('/hosts?'))
        return {
          body: { items: [{ id: 'h1', hostname: 'db-01', cpuCores: 8, status: 'inventoried' }], total: 1 },
        };
      if (method === 'POST' && path === '/systems/import')
        return {
          status: 422,
          body: {
            statusCode: 422,
            error: 'Unprocessable',
            message: '2 error(s) in the file; nothing was imported',
            errors: [
              { row: 3, column: 'protectionLevel', message: 'must be 1 to 4' },
              { row: 5, column: 'name', message: '系统名称 name is required' },
            ],
          },
        };
      return undefined;
    });
    const { container } = renderAt('/inventory');
    const row = (await screen.findByText('人口库')).closest('tr')!;
    expect(within(row).getByText('迁移中')).toBeTruthy();
    expect(within(row).getByText('B/S')).toBeTruthy();
    // An architecture the inventory sheet calls 'other' reads in the console's language.
    expect(within(screen.getByText('档案库').closest('tr')!).getByText('其他')).toBeTruthy();

    const input = container.querySelector('input[type=file]') as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File(['x'], 'systems.xlsx')] } });
    const alert = (await screen.findByText('表格有 2 处错误，未导入任何数据：')).closest(
      '.ant-alert',
    ) as HTMLElement;
    expect(within(alert).getByText('must be 1 to 4').closest('tr')!.textContent).toBe(
      '3protectionLevelmust be 1 to 4',
    );
    expect(within(alert).getByText('系统名称 name is required')).toBeTruthy();
    const upload = calls.find((c) => c.method === 'POST')!;
    expect((upload.body as FormData).get('file')).toBeInstanceOf(File);

    await user.click(screen.getByRole('tab', { name: '主机' }));
    expect(await screen.findByText('db-01')).toBeTruthy();
    await user.click(screen.getByText('English'));
    expect(await screen.findByRole('tab', { name: 'Hosts' })).toBeTruthy();
    expect(screen.getByText('Inventoried')).toBeTruthy();
    await waitFor(() => expect(screen.getByRole('columnheader', { name: 'Hostname' })).toBeTruthy());
  });
});

describe('inventory strategies', () => {
  it('names each suggested strategy in the console’s language, not by the API’s code', async () => {
    signIn();
    mockApi(({ path }) =>
      path.startsWith('/systems?')
        ? {
            body: {
              items: [
                { id: 's1', name: '人口库', suggestedStrategy: 'rehost', status: 'assessed' },
                { id: 's2', name: '涉密档案', suggestedStrategy: 'exempt-classified', status: 'exempted' },
              ],
              total: 2,
            },
          }
        : undefined,
    );
    renderAt('/inventory');
    const row = (await screen.findByText('人口库')).closest('tr')!;
    expect(within(row).getByText('平迁上云')).toBeTruthy();
    expect(within(screen.getByText('涉密档案').closest('tr')!).getByText('涉密豁免')).toBeTruthy();
    expect(screen.queryByText('rehost')).toBeNull();
    await user.click(screen.getByText('English'));
    expect(await screen.findByText('Rehost')).toBeTruthy();
    expect(screen.getByText('Exempt (classified)')).toBeTruthy();
  });
});
