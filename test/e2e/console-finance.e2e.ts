import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { BillingWorld } from '../support/billing.js';
import {
  ensureConsoleBuilt,
  loginUser,
  openConsole,
  screenshot,
  signIn,
  type ConsoleBrowser,
} from '../support/console.js';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';

// A month no other suite bills: the run is the city's, shared by every suite of a test run.
const PERIOD = '2013-06';

describe('web console in Chromium: finance rebills a month, an auditor searches the audit log', () => {
  let t: TestApp;
  let browser: ConsoleBrowser;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startApp();
    tree = await t.world.city();
    browser = await openConsole(t);
  }, 300_000);
  afterEach(() => expect(browser.pageErrors).toEqual([]));
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('computes a month with usage, inspects its lines and downloads it as XLSX', async () => {
    // A fake pool with a card, and a VM of the department running the whole of June 2013:
    // 2 vCPU × 720 h × 0.05 + 4 GiB × 720 h × 0.01 + 100 GiB × 1 month × 0.3 = 72.00 + 28.80 + 30.00.
    const b = new BillingWorld(t.dataSource);
    const pool = await b.pool();
    await b.card(pool, '2013-01-01');
    const vm = await b.resource(tree.dept.id, pool, { vcpu: 2, memoryGiB: 4, storageGiB: 100 }, [
      ['provisioning', '2013-05-31T23:00:00Z'],
      ['running', '2013-06-01T00:00:00Z'],
      ['deleted', '2013-07-01T00:00:00Z'],
    ]);
    const finance = await loginUser(t, 'finance');

    const { page } = browser;
    await signIn(page, finance);
    await page.waitForURL('**/rebills');
    await page.getByLabel('账期').fill(PERIOD);
    await page.getByRole('button', { name: '计算分摊' }).click();
    await page.waitForURL(/\/rebills\/[0-9a-f-]{36}$/, { timeout: 120_000 });
    await page.getByText(`${PERIOD} 费用分摊`).waitFor();

    // Other suites' departments may have lines in the shared database: find ours by its code.
    const findDepartment = () => page.getByPlaceholder('按单位编码或名称筛选').fill(tree.dept.code);
    await findDepartment();
    const department = page.getByRole('row').filter({ hasText: tree.dept.code });
    await department.getByText('130.80').first().waitFor();
    await department.getByRole('button', { name: '明 细' }).click();
    const drawer = page.getByRole('dialog').filter({ hasText: tree.dept.name });
    const vcpu = drawer.getByRole('row').filter({ hasText: '1440.000000' });
    await vcpu.getByText('72.00').waitFor();
    await vcpu.getByRole('button', { name: '说 明' }).click();
    const explanation = page.getByRole('dialog').filter({ hasText: '费用明细说明' });
    await explanation.getByText(vm).waitFor();
    await explanation.getByText('与重算一致').waitFor();
    await explanation.getByText('创建中 → 运行中').waitFor();
    await page.reload();
    await findDepartment();
    await department.getByText('130.80').first().waitFor();
    await screenshot(page, 'finance-rebill-run');

    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '下载 XLSX' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe(`rebill-${PERIOD}.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await file.path())!);
    const sheet = book.getWorksheet('部门 departments')!;
    const rows = sheet.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows.find((r) => r[1] === tree.dept.code)?.slice(1)).toEqual([
      tree.dept.code,
      tree.dept.name,
      '130.80',
      '130.80',
    ]);
    expect(rows.find((r) => r[1] === tree.district.code)?.[4]).toBe('130.80');

    // The reports: usage charted per month, and the net fiscal effect of the year.
    await page.getByRole('menuitem', { name: '用量与费用报表' }).click();
    await page.getByLabel('起始月').fill(PERIOD);
    await page.getByLabel('截止月').fill(PERIOD);
    await page.getByRole('button', { name: '搜 索' }).click();
    await findDepartment();
    await page.getByRole('row').filter({ hasText: tree.dept.code }).getByText('130.80').waitFor();
    await page.locator('svg').first().waitFor();
    await screenshot(page, 'finance-usage-report');

    await page.getByRole('menuitem', { name: '净财政效果' }).click();
    await page.getByTestId('fiscal-net').waitFor();
    await page.getByLabel('年度').fill(PERIOD.slice(0, 4));
    await page.getByText(`${PERIOD} 草稿`).waitFor();
    await findDepartment();
    await page.getByRole('row').filter({ hasText: tree.dept.name }).getByText('130.80').first().waitFor();
    await screenshot(page, 'finance-fiscal-effect');
  });

  it('lets an auditor read the run without write actions, and search the audit log', async () => {
    const operator = await t.world.token('operator');
    const code = unique('aud-console');
    const created = await t
      .http()
      .post('/api/v1/departments')
      .set(bearer(operator))
      .send({ code, name: '审计测试局', kind: 'department', parentId: tree.city.id })
      .expect(201);
    const auditor = await loginUser(t, 'auditor');

    const { page } = browser;
    await page.getByRole('button', { name: '退出登录' }).click();
    await signIn(page, auditor);
    await page.getByRole('menuitem', { name: '费用分摊' }).click();
    await page.getByRole('link', { name: PERIOD }).click();
    await page.getByRole('button', { name: '下载 XLSX' }).waitFor();
    expect(await page.getByRole('button', { name: '定 稿' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: '重新计算' }).count()).toBe(0);

    await page.getByRole('menuitem', { name: '审计日志' }).click();
    await page.getByLabel('对象 ID').fill(created.body.id);
    await page.getByLabel('对象 ID').press('Enter');
    await page.getByLabel('操作', { exact: true }).fill('department.');
    await page.getByLabel('操作', { exact: true }).press('Enter');
    const row = page.getByRole('row').filter({ hasText: created.body.id });
    await row.getByText('department.create').waitFor();
    await row.getByText('创建部门').waitFor();
    await page.getByText('共 1 条').waitFor();
    await row.getByRole('button', { name: /展开/ }).click();
    await page.getByText(`"code": "${code}"`).waitFor();
  });
});
