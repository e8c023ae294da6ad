import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn } from '../../test/render';
import { translate } from '../../i18n';
import type { ReportRow } from '../../shared';
import { burnupOption, type Burnup, type Report } from './MigrationStats';

// jsdom lays nothing out: give every element the size a browser would.
Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, value: 800 });
Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, value: 320 });

const counts = {
  total: 10,
  classified: 2,
  nonClassified: 8,
  migrated: 4,
  migrating: 1,
  notMigrated: 3,
  exemptedOrRetired: 2,
};
const row = (name: string, extra: Partial<ReportRow>): ReportRow => ({
  departmentId: `d-${name}`,
  code: name,
  name,
  kind: 'department',
  depth: 0,
  ...counts,
  rate: 50,
  nextTarget: null,
  gap: null,
  ...extra,
});
const report: Report = {
  asOf: '2026-11-30',
  rows: [
    row('市本级', { nextTarget: { dueDate: '2026-12-31', percentage: '80.00', label: null }, gap: 3 }),
    row('市统计局', { depth: 1, total: 4, rate: 100, gap: 0 }),
  ],
  totals: { ...counts, rate: 50 },
};
const burnup: Burnup = {
  from: '2026-11-02',
  to: '2026-11-30',
  weeks: [
    { weekStart: '2026-11-02', weekEnd: '2026-11-08', migrated: 1, nonClassified: 8 },
    { weekStart: '2026-11-09', weekEnd: '2026-11-15', migrated: 2, nonClassified: 8 },
    { weekStart: '2026-11-16', weekEnd: '2026-11-22', migrated: 4, nonClassified: 10 },
  ],
};
const targets = [
  { id: 't1', dueDate: '2026-11-20', percentage: '80.00', scopeDepartmentId: null, label: '年底 80%' },
  { id: 't2', dueDate: '2026-11-20', percentage: '50.00', scopeDepartmentId: 'd-市统计局', label: null },
];

describe('migration statistics', () => {
  it('shows each department’s figures with its gap to target, the totals, and the burn-up', async () => {
    signIn({ role: 'operator' });
    const calls = mockApi(({ path }) => {
      if (path.startsWith('/reports/migration/burnup')) return { body: burnup };
      if (path.startsWith('/reports/migration')) return { body: report };
      if (path === '/migration/targets') return { body: targets };
      return { body: [] };
    });
    renderAt('/migration-stats');
    const city = (await screen.findByText('市本级')).closest('tr')!;
    expect(within(city).getByText('2026-12-31 前 80.00%')).toBeTruthy();
    const gap = (tr: Element) => tr.querySelector('td:last-child .ant-typography')!;
    expect([gap(city).textContent, gap(city).className]).toEqual(['3', expect.stringContaining('danger')]);
    const dept = screen.getByText('市统计局').closest('tr')!;
    expect(within(dept).getByText('100%')).toBeTruthy();
    expect([gap(dept).textContent, gap(dept).className]).toEqual(['0', expect.stringContaining('success')]);
    expect(screen.getByText('合计').closest('tr')!.textContent).toContain('50%');
    expect(screen.getByText('截至 2026-11-30')).toBeTruthy();
    const charts = () => [...document.querySelectorAll('svg')].map((svg) => svg.textContent ?? '');
    await waitFor(() => expect(charts().some((text) => text.includes('已迁移系统（累计）'))).toBe(true));
    expect(calls.map((c) => c.path)).toEqual(
      expect.arrayContaining(['/reports/migration', '/reports/migration/burnup', '/migration/targets']),
    );
  });

  it('names departments in English where they have an English name', async () => {
    signIn({ role: 'operator' });
    localStorage.setItem('govcloud.lang', 'en');
    mockApi(({ path }) => {
      if (path.startsWith('/reports/migration/burnup')) return { body: burnup };
      if (path.startsWith('/reports/migration')) return { body: report };
      if (path === '/departments')
        return {
          body: [
            { id: 'd-市本级', code: '市本级', name: '市本级', nameEn: 'City' },
            { id: 'd-市统计局', code: '市统计局', name: '市统计局', nameEn: null },
          ],
        };
      return { body: [] };
    });
    renderAt('/migration-stats');
    expect(await screen.findByText('City', { selector: 'td span' })).toBeTruthy();
    expect(screen.getByText('市统计局', { selector: 'td span' })).toBeTruthy();
  });

  it('puts a city-wide target on the week of its due date, as systems asked for', () => {
    const option = burnupOption((key, values) => translate('en', key, values), burnup, targets);
    const series = option.series as { name: string; data: unknown[] }[];
    expect(series.map((s) => s.name)).toEqual([
      'Systems migrated (cumulative)',
      'Non-classified systems',
      'Target',
    ]);
    expect(series[0].data).toEqual([1, 2, 4]);
    // 80% of the 10 non-classified systems known in the week of 20 November; a department's own target is left out.
    expect(series[2].data).toEqual([{ value: ['2026-11-22', 8], name: '年底 80%' }]);
    // Shown for that department, its own target joins the city's.
    const forDept = burnupOption((key) => key, burnup, targets, 'd-市统计局').series as { data: unknown[] }[];
    expect(forDept[2].data).toEqual([
      { value: ['2026-11-22', 8], name: '年底 80%' },
      { value: ['2026-11-22', 5], name: undefined },
    ]);
  });
});
