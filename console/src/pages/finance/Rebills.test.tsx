import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApi, type Call } from '../../test/api-mock';
import { renderAt, signIn } from '../../test/render';
import type { LineRow } from '../../shared';
import type { RebillDetail } from './RebillRun';
import type { RebillSummary } from './Rebills';

const DEPT = 'a0000000-0000-4000-8000-000000000001';
const summary: RebillSummary = {
  id: 'run-1',
  period: '2026-10',
  state: 'draft',
  computedUntil: '2026-11-01T00:00:00Z',
  computedAt: '2026-11-02T08:00:00Z',
  finalizedAt: null,
  // More digits than a double holds: shown as it came, with separators.
  total: '12345678901234.57',
};
const line: LineRow = {
  id: 'line-1',
  kind: 'usage',
  month: '2026-10',
  departmentId: DEPT,
  departmentCode: 'D-001',
  departmentName: '市大数据局',
  resourceId: 'res-1',
  resourceName: null,
  poolId: 'pool-1',
  poolName: '政务云一区',
  dimension: 'vcpu',
  tier: null,
  key: 'k1',
  rateCardId: 'card-1',
  adjustsLineId: null,
  unit: 'vCPU·h',
  quantity: '1488.000000',
  unitPrice: '0.12',
  amount: '178.56',
  adjustsRunId: null,
};
const detail: RebillDetail = {
  ...summary,
  lineCount: 1,
  unpriced: [],
  departments: [
    {
      departmentId: DEPT,
      code: 'D-001',
      name: '市大数据局',
      parentId: null,
      own: '12345678901234.57',
      subtree: '12345678901234.57',
    },
  ],
  lines: { items: [line], count: 1 },
};
const explanation = {
  line,
  rateCard: { name: '2026 年招标价格', tenderRef: 'ZB-2026-01', effectiveFrom: '2026-01-01' },
  window: { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
  events: [
    {
      id: 'e1',
      type: 'state',
      fromState: 'provisioning',
      toState: 'running',
      reason: null,
      occurredAt: '2026-09-30T12:00:00Z',
    },
  ],
  intervals: [{ from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', quantity: '1488' }],
  recomputed: { quantity: '1488.000000', unitPrice: '0.12', amount: '178.56' },
  consistent: true,
};

/** The rebill API of one draft run; POST /rebills waits for `gate` so the progress can be seen. */
function rebillApi(gate: Promise<void> = Promise.resolve()): Call[] {
  let state = detail.state;
  const calls = mockApi(({ method, path }) => {
    if (method === 'GET' && path === '/rebills') return { body: [{ ...summary, state }] };
    if (method === 'GET' && path.startsWith('/rebills/run-1/lines/line-1')) return { body: explanation };
    if (method === 'GET' && path.startsWith('/rebills/run-1?')) return { body: { ...detail, state } };
    if (method === 'POST' && path === '/rebills/run-1/finalize') {
      state = 'finalized';
      return { body: { ...summary, state } };
    }
    if (method === 'POST' && path === '/rebills') return { status: 201, body: summary };
    return undefined;
  });
  const fetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    if (init?.method === 'POST' && String(input) === '/api/v1/rebills') await gate;
    return fetch(input, init);
  }) as typeof globalThis.fetch;
  return calls;
}

describe('rebill runs', () => {
  it('computes a month with progress shown and opens its lines, every digit kept', async () => {
    signIn({ role: 'finance', departmentId: null });
    let release!: () => void;
    const calls = rebillApi(new Promise<void>((resolve) => (release = resolve)));
    renderAt('/rebills');
    expect(await screen.findByRole('link', { name: '2026-10' })).toBeTruthy();
    const period = screen.getByLabelText('账期');
    await userEvent.clear(period);
    await userEvent.type(period, '2026-10');
    await userEvent.click(screen.getByRole('button', { name: '计算分摊' }));

    expect((await screen.findByRole('status')).textContent).toContain('正在计算 2026-10 的费用分摊');
    release();

    // The run opens: its total and department totals keep every digit.
    expect((await screen.findByTestId('rebill-total', {}, { timeout: 10_000 })).textContent).toBe(
      '12,345,678,901,234.57',
    );
    await waitFor(() => expect(screen.queryByRole('status')).toBeNull());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ period: '2026-10' });
    const departments = screen.getByText('D-001').closest('tr')!;
    expect(within(departments).getAllByText('12,345,678,901,234.57')).toHaveLength(2);
    const row = screen.getByText('res-1').closest('tr')!;
    expect(within(row).getByText('1488.000000 核·时')).toBeTruthy();
    expect(within(row).getByText('178.56')).toBeTruthy();
  }, 180_000);

  it('opens each department on its first page of lines', async () => {
    signIn({ role: 'finance', departmentId: null });
    const OTHER = 'a0000000-0000-4000-8000-000000000002';
    const many = (departmentId: string) =>
      Array.from({ length: 20 }, (_, i) => ({ ...line, id: `${departmentId}-${i}`, departmentId }));
    const calls = mockApi(({ method, path }) => {
      if (method !== 'GET') return undefined;
      if (path.startsWith('/rebills/run-1/departments/')) {
        const id = path.split('/')[4].split('?')[0];
        return {
          body: {
            rebill: summary,
            department: {
              id,
              code: id === DEPT ? 'D-001' : 'D-002',
              name: id === DEPT ? '市大数据局' : '市统计局',
            },
            own: '1.00',
            subtree: '1.00',
            children: [],
            lines: { items: many(id), count: 45 },
          },
        };
      }
      if (path.startsWith('/rebills/run-1?'))
        return {
          body: {
            ...detail,
            departments: [
              ...detail.departments,
              {
                departmentId: OTHER,
                code: 'D-002',
                name: '市统计局',
                parentId: null,
                own: '1.00',
                subtree: '1.00',
              },
            ],
          },
        };
      return undefined;
    });
    renderAt('/rebills/run-1');
    const open = async (code: string) =>
      userEvent.click(
        within((await screen.findByText(code)).closest('tr')!).getByRole('button', { name: '明 细' }),
      );
    await open('D-001');
    const first = await screen.findByRole('dialog');
    await userEvent.click(within(first).getByTitle('2'));
    await waitFor(() => expect(calls.at(-1)?.path).toContain('offset=20'));
    await userEvent.click(within(first).getByRole('button', { name: '关闭' }));
    await open('D-002');
    await waitFor(() => expect(calls.at(-1)?.path).toContain(`/departments/${OTHER}`));
    expect(calls.at(-1)?.path).toContain('offset=0');
  });

  it('explains a line, then finalises the run after a confirmation', async () => {
    signIn({ role: 'finance', departmentId: null });
    const calls = rebillApi();
    renderAt('/rebills/run-1');
    const row = (await screen.findByText('res-1', {}, { timeout: 10_000 })).closest('tr')!;
    await userEvent.click(within(row).getByRole('button', { name: '说 明' }));
    expect(await screen.findByText('2026 年招标价格 · ZB-2026-01')).toBeTruthy();
    // The resource's states in the console's language, as the resource list names them.
    expect(screen.getByText('创建中 → 运行中')).toBeTruthy();
    expect(screen.getByText('与重算一致')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: '定 稿' }));
    expect(
      await screen.findByText(/确定将 2026-10 的费用分摊定稿（合计 12,345,678,901,234.57 元）/),
    ).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: '确 定' }));
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'POST' && c.path === '/rebills/run-1/finalize')).toBe(true),
    );
    expect(await screen.findByText('已定稿')).toBeTruthy();
    expect(screen.queryByRole('button', { name: '定 稿' })).toBeNull();
  }, 180_000);

  it('puts the API’s complaint about the period next to the field', async () => {
    signIn({ role: 'finance', departmentId: null });
    mockApi(({ method }) =>
      method === 'POST'
        ? {
            status: 400,
            body: { statusCode: 400, error: 'BadRequest', message: 'period must not be after this month' },
          }
        : { body: [] },
    );
    renderAt('/rebills');
    const period = await screen.findByLabelText('账期');
    await userEvent.clear(period);
    await userEvent.type(period, '2099-01');
    await userEvent.click(screen.getByRole('button', { name: '计算分摊' }));
    const explain = await screen.findByText('period must not be after this month');
    expect(explain.closest('.ant-form-item')?.textContent).toContain('账期');
    // Shown by the field only, not again above the form.
    expect(screen.getAllByText('period must not be after this month')).toHaveLength(1);
  });

  it('says a computation failed when the answer has neither a JSON body nor a status text', async () => {
    // A proxy's 504 over HTTP/2: an HTML page (no JSON) and no reason phrase (statusText is '').
    signIn({ role: 'finance', departmentId: null });
    mockApi(() => ({ body: [] }));
    const fetch = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) =>
      init?.method === 'POST'
        ? ({
            ok: false,
            status: 504,
            statusText: '',
            headers: { get: () => null },
            json: async () => {
              throw new SyntaxError('Unexpected token <');
            },
          } as unknown as Response)
        : fetch(input, init)) as typeof globalThis.fetch;
    renderAt('/rebills');
    const period = await screen.findByLabelText('账期');
    await userEvent.clear(period);
    await userEvent.type(period, '2026-10');
    await userEvent.click(screen.getByRole('button', { name: '计算分摊' }));
    expect((await screen.findByRole('alert')).textContent).toContain('请求失败 (HTTP 504)');
  });

  it('lets an auditor read and download, never compute or finalise', async () => {
    signIn({ role: 'auditor', departmentId: null });
    rebillApi();
    renderAt('/rebills');
    await screen.findByRole('link', { name: '2026-10' });
    expect(screen.queryByRole('button', { name: '计算分摊' })).toBeNull();
    await userEvent.click(screen.getByRole('link', { name: '2026-10' }));
    await screen.findByTestId('rebill-total');
    expect(screen.getByRole('button', { name: '下载 XLSX' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: '定 稿' })).toBeNull();
    expect(screen.queryByRole('button', { name: '重新计算' })).toBeNull();
  });

  it('switches a run’s labels between Chinese and English', async () => {
    signIn({ role: 'finance', departmentId: null });
    rebillApi();
    renderAt('/rebills/run-1');
    expect(await screen.findByText('2026-10 费用分摊')).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: '计费项' })).toBeTruthy();
    expect(screen.getByText('草稿')).toBeTruthy();

    await userEvent.click(screen.getByText('English'));
    expect(await screen.findByText('Rebill 2026-10')).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Dimension' })).toBeTruthy();
    expect(screen.getByText('Draft')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Finalise' })).toBeTruthy();
    expect(screen.getByTestId('rebill-total').textContent).toBe('12,345,678,901,234.57');
    expect(screen.queryByText('草稿')).toBeNull();
  });
});
