import { describe, expect, it } from '@jest/globals';
import { screen } from '@testing-library/react';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn, user } from '../../test/render';

const counts = { classified: 1, nonClassified: 9, migrating: 2, notMigrated: 3, exemptedOrRetired: 1 };

describe('migration progress', () => {
  it('shows the department’s own row of the migration report, in both languages', async () => {
    signIn();
    const calls = mockApi(({ path }) =>
      path === '/reports/migration?departmentId=d1'
        ? {
            body: {
              asOf: '2026-11-30',
              // rate is a percentage (0–100, two decimals), as src/modules/migration/report-rows.ts says
              totals: { total: 10, migrated: 4, rate: 44.44, ...counts },
              rows: [
                {
                  departmentId: 'd1',
                  code: 'tjj',
                  name: '市统计局',
                  kind: 'department',
                  depth: 0,
                  total: 10,
                  migrated: 4,
                  rate: 44.44,
                  ...counts,
                  nextTarget: { dueDate: '2026-12-31', percentage: '80', label: null },
                  gap: 3,
                },
              ],
            },
          }
        : undefined,
    );
    renderAt('/migration-progress');
    expect(await screen.findByText('2026-12-31 前达到 80%')).toBeTruthy();
    expect(screen.getByText('迁移率（非涉密）').closest('.ant-statistic')!.textContent).toContain('44.4%');
    expect(screen.getByText('距下一目标还需迁移（个）').closest('tr')!.textContent).toContain('3');
    expect(calls.map((c) => c.path)).toContain('/reports/migration?departmentId=d1');
    await user.click(screen.getByText('English'));
    expect(await screen.findByText('80% by 2026-12-31')).toBeTruthy();
    expect(screen.getByText('Department migration progress')).toBeTruthy();
  });
});
