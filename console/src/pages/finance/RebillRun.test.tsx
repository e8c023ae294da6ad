import { describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn } from '../../test/render';
import type { LineRow } from '../../shared';
import type { RebillDetail } from './RebillRun';

const DEPT = 'a0000000-0000-4000-8000-000000000001';
const POOL = 'b0000000-0000-4000-8000-000000000001';

const aLine = (line: Partial<LineRow> = {}): LineRow => ({
  id: 'line-1',
  key: 'k1',
  kind: 'usage',
  month: '2026-10',
  departmentId: DEPT,
  departmentCode: 'D-001',
  departmentName: '市大数据局',
  resourceId: 'res-1',
  resourceName: null,
  poolId: POOL,
  poolName: '政务云一区',
  dimension: 'vcpu',
  tier: null,
  rateCardId: 'card-1',
  unit: 'vCPU·h',
  quantity: '1488.000000',
  unitPrice: '0.12',
  amount: '178.56',
  adjustsRunId: null,
  adjustsLineId: null,
  ...line,
});

const aRun = (run: Partial<RebillDetail> = {}): RebillDetail => ({
  id: 'run-1',
  period: '2026-10',
  state: 'draft',
  computedUntil: '2026-11-01T00:00:00Z',
  computedAt: '2026-11-02T08:00:00Z',
  finalizedAt: null,
  total: '178.56',
  lineCount: 1,
  unpriced: [],
  departments: [
    {
      departmentId: DEPT,
      code: 'D-001',
      name: '市大数据局',
      parentId: null,
      own: '178.56',
      subtree: '178.56',
    },
  ],
  lines: { items: [aLine()], count: 1 },
  ...run,
});

const explanation = (line: LineRow) => ({
  line,
  rateCard: { name: '2026 年招标价格', tenderRef: null, effectiveFrom: '2026-01-01' },
  window: { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
  events: [],
  intervals: [],
  recomputed: null,
  consistent: null,
});

/** GET /rebills/run-1 answers `run`; GET /pools names the one pool. */
function runApi(run: RebillDetail) {
  return mockApi(({ method, path }) => {
    if (method !== 'GET') return undefined;
    if (path.startsWith('/rebills/run-1?')) return { body: run };
    if (path === '/rebills/run-1/lines/line-1') return { body: explanation(run.lines.items[0]) };
    if (path === '/pools') return { body: [{ id: POOL, name: '政务云一区' }] };
    return undefined;
  });
}

describe('a rebill run', () => {
  it('names the pools whose usage no rate card prices, not their ids', async () => {
    signIn({ role: 'finance', departmentId: null });
    const calls = runApi(
      aRun({
        unpriced: [
          { poolId: POOL, from: '2026-10-01T00:00:00.000Z' },
          { poolId: null, from: '2026-10-01T00:00:00.000Z' },
        ],
      }),
    );
    renderAt('/rebills/run-1');
    const warning = (await screen.findByText(/部分用量没有适用的价格卡/)).closest('.ant-alert')!;
    const from = new Date('2026-10-01T00:00:00.000Z').toLocaleString('zh-CN');
    expect(await within(warning as HTMLElement).findByText(`政务云一区：自 ${from} 起`)).toBeTruthy();
    expect(within(warning as HTMLElement).getByText(/托管设备（尚无自建资源池可计价）/)).toBeTruthy();
    expect(warning.textContent).not.toContain(POOL);
    // Chinese names departments as the run gives them: no need for the department list.
    expect(calls.map((c) => c.path)).not.toContain('/departments');
  });

  it('names storage tiers in the console’s language, and a tier it has no name for as it is', async () => {
    signIn({ role: 'finance', departmentId: null });
    const storage = (id: string, tier: string) =>
      aLine({ id, resourceId: `res-${tier}`, dimension: 'storageGiB', tier, unit: 'GiB·month' });
    runApi(
      aRun({
        lineCount: 3,
        lines: {
          items: [storage('l1', 'standard'), storage('l2', 'ssd'), storage('l3', 'nearline')],
          count: 3,
        },
      }),
    );
    renderAt('/rebills/run-1');
    const dimension = async (resource: string) =>
      (await screen.findByText(resource)).closest('tr')!.querySelectorAll('td')[1].textContent;
    expect(await dimension('res-standard')).toBe('存储（标准）');
    expect(await dimension('res-ssd')).toBe('存储（SSD）');
    expect(await dimension('res-nearline')).toBe('存储（nearline）');
  });

  it('names a line’s resource and pool, the id beside the name in its explanation', async () => {
    signIn({ role: 'finance', departmentId: null });
    runApi(aRun({ lines: { items: [aLine({ resourceName: 'oa-db-01' })], count: 1 } }));
    renderAt('/rebills/run-1');
    const row = (await screen.findByText('oa-db-01')).closest('tr')!;
    expect(within(row).queryByText('res-1')).toBeNull();
    await userEvent.click(within(row).getByRole('button', { name: '说 明' }));
    expect(await screen.findByText('oa-db-01 (res-1)')).toBeTruthy();
    expect(screen.getAllByText('政务云一区').length).toBeGreaterThan(0);
  });

  it('prints a line’s unit in the console’s language (个·月, IP·month)', async () => {
    signIn({ role: 'finance', departmentId: null });
    runApi(
      aRun({
        lines: { items: [aLine({ dimension: 'publicIp', unit: 'IP·month', quantity: '2' })], count: 1 },
      }),
    );
    renderAt('/rebills/run-1');
    const row = (await screen.findByText('res-1')).closest('tr')!;
    expect(within(row).getByText('2 个·月')).toBeTruthy();
    await userEvent.click(within(row).getByRole('button', { name: '说 明' }));
    expect(await screen.findByText('2 个·月 × 0.12 = 178.56')).toBeTruthy();

    await userEvent.click(screen.getByText('English'));
    expect(await within(row).findByText('2 IP·month')).toBeTruthy();
  });

  it('names departments in English where they have an English name, wherever the run shows them', async () => {
    signIn({ role: 'finance', departmentId: null });
    localStorage.setItem('govcloud.lang', 'en');
    const OTHER = 'a0000000-0000-4000-8000-000000000002';
    const CHILD = 'a0000000-0000-4000-8000-000000000003';
    const total = (departmentId: string, code: string, name: string) => ({
      departmentId,
      code,
      name,
      parentId: null,
      own: '1.00',
      subtree: '1.00',
    });
    const run = aRun({
      departments: [total(DEPT, 'D-001', '市大数据局'), total(OTHER, 'D-002', '市统计局')],
    });
    mockApi(({ method, path }) => {
      if (method !== 'GET') return undefined;
      if (path.startsWith('/rebills/run-1?')) return { body: run };
      if (path.startsWith(`/rebills/run-1/departments/${DEPT}?`))
        return {
          body: {
            department: { id: DEPT, code: 'D-001', name: '市大数据局' },
            own: '1.00',
            subtree: '2.00',
            children: [total(CHILD, 'D-003', '市大数据中心')],
            lines: { items: [], count: 0 },
          },
        };
      if (path === '/departments')
        return {
          body: [
            { id: DEPT, code: 'D-001', name: '市大数据局', nameEn: 'Big Data Bureau' },
            // No English name: the Chinese one stands.
            { id: OTHER, code: 'D-002', name: '市统计局', nameEn: null },
            { id: CHILD, code: 'D-003', name: '市大数据中心', nameEn: 'Big Data Centre' },
          ],
        };
      return undefined;
    });
    renderAt('/rebills/run-1');
    const row = async (text: string) => (await screen.findByText(text)).closest('tr')!;
    expect(await within(await row('D-001')).findByText('Big Data Bureau')).toBeTruthy();
    expect(within(await row('D-002')).getByText('市统计局')).toBeTruthy();
    expect(within(await row('res-1')).getByText('Big Data Bureau')).toBeTruthy();

    // Found by the name shown.
    fireEvent.change(screen.getByPlaceholderText('Filter by department code or name'), {
      target: { value: 'Big Data' },
    });
    await waitFor(() => expect(screen.queryByText('D-002')).toBeNull());

    await userEvent.click(within(await row('D-001')).getByRole('button', { name: 'Lines' }));
    const drawer = await screen.findByRole('dialog');
    expect(within(drawer).getByText('Big Data Bureau (D-001)')).toBeTruthy();
    expect(await within(drawer).findByText('Big Data Centre')).toBeTruthy();
  });
});
