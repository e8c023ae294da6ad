import { describe, expect, it } from '@jest/globals';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { formatMoney, sumMoney } from '../../components/money';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn } from '../../test/render';

const DEPT = 'a0000000-0000-4000-8000-000000000001';
const figures = (rebill: string) => ({
  rebillChargeback: rebill,
  rebillShowback: '0.00',
  rebill,
  omBudget: '500000.00',
  omStopped: '1200000.00',
  leaseCarryover: '100000.00',
  savings: '1100000.00',
  net: '99999999999998.01',
});

describe('money', () => {
  it('is formatted and added as text, every digit kept', () => {
    expect(formatMoney('12345678901234.57')).toBe('12,345,678,901,234.57');
    expect(formatMoney('-1234.5')).toBe('-1,234.5');
    expect(formatMoney('999.00')).toBe('999.00');
    expect(sumMoney(['12345678901234.57', '0.01', '-0.58'])).toBe('12345678901234.00');
    expect(sumMoney(['0.1', '0.2'])).toBe('0.30');
    expect(sumMoney([])).toBe('0.00');
  });
});

describe('finance reports', () => {
  it('charts usage per month and totals departments exactly', async () => {
    signIn({ role: 'finance', departmentId: null });
    const row = (dimension: string, amount: string) => ({
      month: '2026-10',
      basis: 'chargeback',
      rebillId: 'run-1',
      departmentId: DEPT,
      code: 'D-001',
      name: '市大数据局',
      dimension,
      unit: 'x',
      quantity: '1',
      amount,
    });
    const calls = mockApi(({ path }) => {
      if (path.startsWith('/reports/usage'))
        return {
          body: {
            from: '2026-10',
            to: '2026-10',
            rows: [row('vcpu', '12345678901234.56'), row('storageGiB', '0.01')],
            totals: [
              {
                month: '2026-10',
                basis: 'chargeback',
                rebillId: 'run-1',
                meteredUntil: '2026-11-01T00:00:00Z',
                amount: '12345678901234.57',
              },
            ],
          },
        };
      if (path === '/departments') return { body: [] };
      return undefined;
    });
    const { container } = renderAt('/reports/usage');
    const department = (await screen.findByText('D-001')).closest('tr')!;
    expect(within(department).getByText('12,345,678,901,234.57')).toBeTruthy();
    expect(screen.getByText('分摊 (已定稿)')).toBeTruthy();
    await waitFor(() => expect(container.querySelector('svg')).not.toBeNull());
    expect(calls.find((c) => c.path.startsWith('/reports/usage'))?.path).toMatch(
      /^\/reports\/usage\?from=\d{4}-01&to=\d{4}-\d{2}$/,
    );
  });

  it('keeps the months asked for last when the answer for the year so far arrives after theirs', async () => {
    signIn({ role: 'finance', departmentId: null });
    let releaseYear!: () => void;
    const yearHeld = new Promise<void>((resolve) => (releaseYear = resolve));
    let yearAnswered = false;
    const report = (month: string, code: string) => ({
      from: month,
      to: month,
      rows: [
        {
          month,
          basis: 'chargeback',
          rebillId: 'run-1',
          departmentId: DEPT,
          code,
          name: `${code} 局`,
          dimension: 'vcpu',
          unit: 'x',
          quantity: '1',
          amount: '1.00',
        },
      ],
      totals: [
        {
          month,
          basis: 'chargeback',
          rebillId: 'run-1',
          meteredUntil: '2013-07-01T00:00:00Z',
          amount: '1.00',
        },
      ],
    });
    mockApi(async ({ path }) => {
      if (path.startsWith('/reports/usage?from=2013-06')) return { body: report('2013-06', 'ASKED-001') };
      if (path.startsWith('/reports/usage')) {
        // The first load, of the whole year, metered live and slow.
        await yearHeld;
        yearAnswered = true;
        return { body: report('2026-01', 'YEAR-001') };
      }
      if (path === '/departments') return { body: [] };
      return undefined;
    });
    renderAt('/reports/usage');
    const user = userEvent.setup();
    for (const label of ['起始月', '截止月']) {
      await user.clear(screen.getByLabelText(label));
      await user.type(screen.getByLabelText(label), '2013-06');
    }
    await user.click(screen.getByRole('button', { name: '搜 索' }));
    await screen.findByText('ASKED-001');
    releaseYear();
    await waitFor(() => expect(yearAnswered).toBe(true));
    // Let the held answer reach the page, as it would have.
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(screen.queryByText('YEAR-001')).toBeNull();
    expect(screen.getByText('ASKED-001')).toBeTruthy();
  });

  it('sets a budget, with the API’s complaint next to the amount, and shows overspend alerts', async () => {
    signIn({ role: 'finance', departmentId: null });
    const calls = mockApi(({ method, path }) => {
      if (path === '/departments')
        return { body: [{ id: DEPT, code: 'D-001', name: '市大数据局', nameEn: null }] };
      if (method === 'PUT')
        return {
          status: 400,
          body: {
            statusCode: 400,
            error: 'BadRequest',
            message: 'amount must be a decimal string with at most 2 decimals',
          },
        };
      if (path.startsWith('/reports/budgets'))
        return {
          body: [
            {
              departmentId: DEPT,
              code: 'D-001',
              name: '市大数据局',
              year: 2026,
              budget: '1000000.00',
              spent: '900000.00',
              forecast: '12345678901234.57',
              overspend: true,
              monthsWithoutRebill: ['2026-11'],
              alertRaisedAt: '2026-11-02T00:00:00Z',
            },
          ],
        };
      return undefined;
    });
    renderAt('/reports/budgets');
    expect(await screen.findByText('1 个部门预计超出年度预算')).toBeTruthy();
    const row = screen.getByText('D-001').closest('tr')!;
    expect(within(row).getByText('12,345,678,901,234.57')).toBeTruthy();
    expect(within(row).getByText('预计超支')).toBeTruthy();

    await userEvent.click(screen.getByRole('combobox', { name: '部门' }));
    await userEvent.click(await screen.findByTitle('市大数据局'));
    await userEvent.type(screen.getByLabelText('年度预算 (元)'), '1.234');
    await userEvent.click(screen.getByRole('button', { name: '设置预算' }));
    const complaint = await screen.findByText('amount must be a decimal string with at most 2 decimals');
    expect(complaint.closest('.ant-form-item')?.textContent).toContain('年度预算');
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.path).toBe(`/budgets/${DEPT}`);
    expect(put.body).toEqual({ year: new Date().getFullYear(), amount: '1.234' });
  });

  it('hides the budget form from auditors', async () => {
    signIn({ role: 'auditor', departmentId: null });
    mockApi(({ path }) => ({ body: path === '/departments' ? [] : [] }));
    renderAt('/reports/budgets');
    expect(await screen.findByRole('columnheader', { name: '全年预测 (元)' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: '设置预算' })).toBeNull();
  });

  it('shows the net fiscal effect with its months’ sources', async () => {
    signIn({ role: 'finance', departmentId: null });
    mockApi(({ path }) => {
      if (path === '/departments') return { body: [] };
      if (path.startsWith('/reports/fiscal-effect'))
        return {
          body: {
            year: 2026,
            generatedAt: '2026-11-30T00:00:00Z',
            months: [
              { month: '2026-10', source: 'finalized', rebillId: 'r', meteredUntil: null },
              { month: '2026-11', source: 'live', rebillId: null, meteredUntil: null },
            ],
            rows: [
              {
                departmentId: DEPT,
                code: 'D-001',
                name: '市大数据局',
                depth: 0,
                own: figures('1.00'),
                subtree: figures('1.00'),
              },
            ],
            totals: figures('1.00'),
            rooms: [],
          },
        };
      return undefined;
    });
    renderAt('/reports/fiscal-effect');
    expect((await screen.findByTestId('fiscal-net')).textContent).toBe('99,999,999,999,998.01');
    expect(screen.getByText('2026-10 已定稿')).toBeTruthy();
    expect(screen.getByText('2026-11 实时计量')).toBeTruthy();
    const row = screen.getByText('市大数据局', { selector: 'span' }).closest('tr')!;
    expect(within(row).getByText('1,100,000.00')).toBeTruthy();
    // The chart names the department on its axis.
    expect(screen.getByText('市大数据局', { selector: 'text' })).toBeTruthy();
  });

  it('names departments in English where they have an English name: budgets, usage, fiscal effect', async () => {
    signIn({ role: 'finance', departmentId: null });
    localStorage.setItem('govcloud.lang', 'en');
    const OTHER = 'a0000000-0000-4000-8000-000000000002';
    const department = { departmentId: DEPT, code: 'D-001', name: '市大数据局' };
    const other = { departmentId: OTHER, code: 'D-002', name: '市统计局' };
    const budget = (d: typeof department) => ({
      ...d,
      year: 2026,
      budget: '1.00',
      spent: '2.00',
      forecast: '3.00',
      overspend: true,
      monthsWithoutRebill: [],
      alertRaisedAt: null,
    });
    mockApi(({ path }) => {
      if (path === '/departments')
        return {
          body: [
            { id: DEPT, code: 'D-001', name: '市大数据局', nameEn: 'Big Data Bureau' },
            { id: OTHER, code: 'D-002', name: '市统计局', nameEn: null },
          ],
        };
      if (path.startsWith('/reports/budgets')) return { body: [budget(department), budget(other)] };
      if (path.startsWith('/reports/usage'))
        return {
          body: {
            from: '2026-10',
            to: '2026-10',
            rows: [
              {
                ...department,
                month: '2026-10',
                basis: 'showback',
                rebillId: null,
                dimension: 'vcpu',
                unit: 'x',
                quantity: '1',
                amount: '1.00',
              },
            ],
            totals: [],
          },
        };
      if (path.startsWith('/reports/fiscal-effect'))
        return {
          body: {
            year: 2026,
            generatedAt: '2026-11-30T00:00:00Z',
            months: [],
            rows: [{ ...department, depth: 0, own: figures('1.00'), subtree: figures('1.00') }],
            totals: figures('1.00'),
            rooms: [],
          },
        };
      return undefined;
    });
    const budgets = renderAt('/reports/budgets');
    const alert = (await screen.findByText(/2 departments are forecast to overspend/)).closest('.ant-alert')!;
    await waitFor(() => expect(alert.textContent).toContain('Big Data Bureau、市统计局'));
    expect(within(screen.getByText('D-001').closest('tr')!).getByText('Big Data Bureau')).toBeTruthy();
    budgets.unmount();

    const usage = renderAt('/reports/usage');
    expect(
      await within((await screen.findByText('D-001')).closest('tr')!).findByText('Big Data Bureau'),
    ).toBeTruthy();
    usage.unmount();

    renderAt('/reports/fiscal-effect');
    expect(await screen.findByText('Big Data Bureau', { selector: 'span' })).toBeTruthy();
    // The chart's axis too.
    await waitFor(() => expect(screen.getByText('Big Data Bureau', { selector: 'text' })).toBeTruthy());
  });
});
