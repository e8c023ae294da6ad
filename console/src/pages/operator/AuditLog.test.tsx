import { describe, expect, it, jest } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn } from '../../test/render';
import type { AuditEntry } from './AuditLog';

const entry = (id: string, targetType: string): AuditEntry => ({
  id,
  at: '2026-11-30T08:00:00Z',
  actorId: 'u1',
  actorName: 'zhang',
  role: 'operator',
  action: `${targetType}.update`,
  targetType,
  targetId: `t-${id}`,
  departmentId: 'd1',
  before: { name: '旧名称' },
  after: { name: '新名称' },
  requestId: null,
});

describe('audit log', () => {
  it('filters by target type and department on the server, pages, and shows before and after', async () => {
    signIn({ role: 'auditor' });
    const entries = [entry('1', 'department'), entry('2', 'quota-request')];
    const calls = mockApi(({ path }) => {
      if (path === '/departments')
        return { body: [{ id: 'd1', name: '市公安局', nameEn: 'Public Security' }] };
      if (path.startsWith('/audit?')) {
        const query = new URLSearchParams(path.split('?')[1]);
        const shown = entries.filter(
          (e) => !query.get('targetType') || e.targetType === query.get('targetType'),
        );
        return { body: { items: shown, total: 45 } };
      }
      return undefined;
    });
    renderAt('/audit');
    const first = (await screen.findByText('department.update')).closest('tr')!;
    expect(within(first).getByText('zhang（云平台运维）')).toBeTruthy();
    expect(await within(first).findByText('市公安局')).toBeTruthy();
    expect(screen.getByText('共 45 条')).toBeTruthy();
    expect(calls.find((c) => c.path.startsWith('/audit?'))?.path).toContain('limit=20&offset=0');

    await userEvent.click(screen.getByTitle('2'));
    await waitFor(() => expect(calls.at(-1)?.path).toContain('offset=20'));

    await userEvent.type(screen.getByPlaceholderText('对象类型'), 'quota-request{Enter}');
    await waitFor(() => expect(screen.queryByText('department.update')).toBeNull());
    expect(calls.at(-1)?.path).toContain('targetType=quota-request');
    expect(calls.at(-1)?.path).toContain('offset=0');

    await userEvent.click(screen.getByRole('combobox', { name: '部门' }));
    await userEvent.click(await screen.findByTitle('市公安局'));
    await waitFor(() => expect(calls.at(-1)?.path).toContain('departmentId=d1'));

    const row = screen.getByText('quota-request.update').closest('tr')!;
    await userEvent.click(within(row).getByRole('button', { name: /展开|expand/i }));
    expect((await screen.findByText(/新名称/)).textContent).toContain('"name": "新名称"');
  });

  it('exports through the worker, showing each step until the file is ready', async () => {
    signIn({ role: 'operator' });
    let polls = 0;
    const calls = mockApi(({ method, path }) => {
      if (method === 'POST' && path === '/audit/exports')
        return { status: 202, body: { id: 'x1', state: 'queued', rowCount: null } };
      if (path === '/audit/exports/x1')
        return { body: { id: 'x1', state: ++polls < 2 ? 'queued' : 'done', rowCount: 7 } };
      if (path === '/audit/exports/x1/content') return { body: 'id,at\n' };
      if (path.startsWith('/audit?')) return { body: { items: [], total: 0 } };
      return { body: [] };
    });
    // The download reads the answer as a blob, which the fake API's responses do not offer.
    const fakeFetch = globalThis.fetch;
    globalThis.fetch = async (...args: Parameters<typeof fetch>) =>
      Object.assign(await fakeFetch(...args), { blob: async () => new Blob(['id,at\n']) });
    URL.createObjectURL = () => 'blob:audit';
    URL.revokeObjectURL = () => undefined;
    const saved: string[] = [];
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      saved.push(this.href);
    });
    renderAt('/audit');
    await userEvent.click(await screen.findByRole('button', { name: '导出 CSV' }));
    expect(await screen.findByText('正在导出审计日志')).toBeTruthy();
    expect(screen.getByText('生成中')).toBeTruthy();
    expect(await screen.findByText('已导出 7 条记录', {}, { timeout: 10_000 })).toBeTruthy();
    expect(calls.filter((c) => c.path === '/audit/exports/x1').length).toBe(2);
    expect(calls.some((c) => c.path === '/audit/exports/x1/content')).toBe(true);
    expect(saved).toEqual(['blob:audit']);
    click.mockRestore();
  });

  it('names actions and subjects in words, with the code the filter takes beside them', async () => {
    signIn({ role: 'auditor', departmentId: null });
    const entries = [
      { ...entry('1', 'pool'), action: 'pool.capacity-add' },
      { ...entry('2', 'resource'), action: 'resource.running' },
      { ...entry('3', 'quota-request'), action: 'quota-request.approve' },
      { ...entry('4', 'gadget'), action: 'gadget.polish' },
    ];
    mockApi(({ path }) =>
      path.startsWith('/audit?') ? { body: { items: entries, total: 4 } } : { body: [] },
    );
    renderAt('/audit');
    const row = async (code: string) => (await screen.findByText(code)).closest('tr')!;
    expect(within(await row('pool.capacity-add')).getByText('资源池扩容')).toBeTruthy();
    expect(within(await row('pool.capacity-add')).getByText('资源池')).toBeTruthy();
    expect(within(await row('resource.running')).getByText('资源变为「运行中」')).toBeTruthy();
    expect(within(await row('quota-request.approve')).getByText('批准配额申请')).toBeTruthy();
    // Unknown to the console: the codes alone, not a half-translated phrase.
    const unknown = await row('gadget.polish');
    expect(within(unknown).getByText('gadget')).toBeTruthy();
    expect(within(unknown).queryByText(/资源|配额/)).toBeNull();
  });

  it('searches by actor name and by action', async () => {
    signIn({ role: 'auditor', departmentId: null });
    const calls = mockApi(({ path }) =>
      path.startsWith('/audit?') ? { body: { items: [entry('1', 'rebill')], total: 1 } } : { body: [] },
    );
    renderAt('/audit');
    await screen.findByText('rebill.update');
    await userEvent.type(screen.getByLabelText('操作人'), 'li-finance{Enter}');
    await userEvent.type(screen.getByLabelText('操作'), 'rebill.{Enter}');
    await waitFor(() => expect(calls.at(-1)?.path).toContain('action=rebill.'));
    const query = new URLSearchParams(calls.at(-1)!.path.split('?')[1]);
    expect(query.get('actorName')).toBe('li-finance');
    expect(query.get('action')).toBe('rebill.');
  });
});
