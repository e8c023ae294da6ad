import { describe, expect, it } from '@jest/globals';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn } from '../../test/render';
import type { AuditEntry } from './AuditLog';

const entry = (id: string, action: string): AuditEntry => ({
  id,
  at: '2026-11-30T08:00:00Z',
  actorId: 'u9',
  actorName: 'li-finance',
  role: 'finance',
  action,
  targetType: 'rebill',
  targetId: `run-${id}`,
  departmentId: null,
  before: { state: 'draft' },
  after: { state: 'finalized' },
  requestId: 'req-1',
});

describe('audit log', () => {
  it('searches by actor, action and target, pages on the server, and shows before and after', async () => {
    signIn({ role: 'auditor', departmentId: null });
    const calls = mockApi(({ path }) => {
      const query = new URLSearchParams(path.split('?')[1]);
      const items = [entry('2', 'rebill.finalize'), entry('1', 'rebill.compute')].filter(
        (e) => !query.get('action') || e.action === query.get('action'),
      );
      return { body: { items, total: query.get('action') ? items.length : 45 } };
    });
    renderAt('/audit');
    expect(await screen.findByText('rebill.compute')).toBeTruthy();
    expect(screen.getByText('共 45 条')).toBeTruthy();
    expect(calls[0].path).toBe('/audit?limit=20&offset=0');

    await userEvent.type(screen.getByLabelText('操作人'), 'li-finance');
    await userEvent.type(screen.getByLabelText('操作'), 'rebill.finalize');
    await userEvent.type(screen.getByLabelText('对象类型'), 'rebill');
    await userEvent.click(screen.getByRole('button', { name: '搜 索' }));
    await waitFor(() => expect(screen.queryByText('rebill.compute')).toBeNull());
    const query = new URLSearchParams(calls.at(-1)!.path.split('?')[1]);
    expect(Object.fromEntries(query)).toEqual({
      actorName: 'li-finance',
      action: 'rebill.finalize',
      targetType: 'rebill',
      limit: '20',
      offset: '0',
    });

    await userEvent.click(screen.getAllByRole('button', { name: /展开行|Expand row/ })[0]);
    expect(await screen.findByText(/"state": "finalized"/)).toBeTruthy();
  });

  it('switches its labels to English', async () => {
    signIn({ role: 'auditor', departmentId: null });
    mockApi(() => ({ body: { items: [entry('1', 'rebill.compute')], total: 1 } }));
    renderAt('/audit');
    await screen.findByText('rebill.compute');
    await userEvent.click(screen.getByText('English'));
    expect(await screen.findByRole('columnheader', { name: 'Target type' })).toBeTruthy();
    expect(screen.getByText('Audit log', { selector: '.ant-card-head-title' })).toBeTruthy();
  });
});
