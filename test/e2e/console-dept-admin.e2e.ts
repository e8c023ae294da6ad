import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';
import {
  ensureConsoleBuilt,
  loginUser,
  openConsole,
  screenshot,
  signIn,
  type ConsoleBrowser,
} from '../support/console.js';
import {
  aResourceRequest,
  createPool,
  DOUBLE,
  GENEROUS,
  grantQuota,
  untilState,
} from '../support/provisioning.js';

// Generous: Chromium, the app and its worker share a loaded two-core machine.
jest.setTimeout(180_000);

describe('web console in Chromium: a dept-admin', () => {
  let t: TestApp;
  let browser: ConsoleBrowser;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startApp({ api: true, worker: true });
    tree = await t.world.city();
    // The district keeps room beyond the department's limits, for the quota request to be granted.
    await grantQuota(t, [tree.city, tree.district], DOUBLE);
    await grantQuota(t, [tree.dept], GENEROUS);
    browser = await openConsole(t);
  }, 300_000);
  afterEach(() => expect(browser.pageErrors).toEqual([]));
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the console for page paths, and the API and probes as before', async () => {
    const page = await t.http().get('/resources').expect(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('<div id="root">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)![1];
    const asset = await t.http().get(script).expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    await t.http().get('/api/v1/nothing-here').expect(404);
    await t.http().get('/assets/missing.js').expect(404);
    await t.http().get('/healthz').expect(200);
  });

  it('signs in, lists the department’s resources with live state, and stops one', async () => {
    const operator = await t.world.token('operator');
    await createPool(t, operator);
    const admin = await loginUser(t, 'dept-admin', tree.dept.id);
    const adminToken = (await t.http().post('/api/v1/auth/login').send(admin).expect(200)).body
      .accessToken as string;
    const vm = aResourceRequest();
    const { body } = await t.http().post('/api/v1/resources').set(bearer(adminToken)).send(vm).expect(202);
    await untilState(t, adminToken, body.id, 'running', 60_000);

    const { page } = browser;
    await page.goto('/resources');
    await expect(page.waitForURL('**/login')).resolves.toBeUndefined();
    await screenshot(page, 'login');
    await signIn(page, admin);
    await page.waitForURL('**/resources');
    const row = page.getByRole('row').filter({ hasText: vm.name });
    await row.getByText('运行中').waitFor();
    await row.getByRole('button', { name: '停 止' }).click();
    // The list polls: the worker's stop shows without a reload.
    await row.getByText('已停止').waitFor({ timeout: 60_000 });
    expect((await t.http().get(`/api/v1/resources/${body.id}`).set(bearer(adminToken))).body.state).toBe(
      'stopped',
    );

    await page.getByText('English').click();
    await row.getByText('Stopped').waitFor();
    await page.getByRole('columnheader', { name: 'State' }).waitFor();
  });

  it('requests a VM on the fake pool, sees the quota it takes, and sees it running', async () => {
    const operator = await t.world.token('operator');
    const pool = await createPool(t, operator);
    const admin = await loginUser(t, 'dept-admin', tree.dept.id);
    const { page } = browser;
    await signIn(page, admin);

    await page.getByRole('menuitem', { name: '申请资源' }).click();
    await page.waitForURL('**/resources/new');
    const name = unique('人口库-vm');
    await page.getByLabel('名称').fill(name);
    await page.getByLabel('镜像').fill('debian-12');
    await page.getByLabel('vCPU（核）').fill('4');
    await page.getByLabel('内存（GiB）').fill('8');
    // What is left of the department's quota is shown beside the form.
    const quota = await t.http().get(`/api/v1/departments/${tree.dept.id}/quota`).set(bearer(operator));
    await page.locator('[data-dimension="vcpu"]').getByText(String(quota.body.available.vcpu)).waitFor();
    await page.getByLabel('资源池').fill(pool.name);
    await page.locator('.ant-select-item-option').filter({ hasText: pool.name }).click();
    await screenshot(page, 'dept-admin-request');
    await page.getByRole('button', { name: '提 交' }).click();

    await page.waitForURL('**/resources');
    const row = page.getByRole('row').filter({ hasText: name });
    await row.getByText('运行中').waitFor({ timeout: 90_000 });
    await screenshot(page, 'dept-admin-resources');
    const [resource] = (await t.dataSource.query(
      `SELECT pool_id, spec, state FROM resources WHERE name = $1`,
      [name],
    )) as { pool_id: string; spec: { vcpu: number }; state: string }[];
    expect(resource).toMatchObject({ pool_id: pool.id, spec: { vcpu: 4 }, state: 'running' });
  });

  it('shows the API’s validation error next to the field it names', async () => {
    const { page } = browser;
    await page.goto('/resources/new');
    await page.getByLabel('名称').fill('x'.repeat(10));
    await page.getByLabel('镜像').fill('i'.repeat(501));
    await page.getByRole('button', { name: '提 交' }).click();
    const item = page.locator('.ant-form-item').filter({ has: page.getByLabel('镜像') });
    await item
      .locator('.ant-form-item-explain-error')
      .filter({ hasText: 'spec.image must be shorter than or equal to 500 characters' })
      .waitFor();
    expect(await page.locator('.ant-form-item-explain-error').count()).toBe(1);
  });

  it('asks for more quota and follows the request until an operator decides', async () => {
    const admin = await loginUser(t, 'dept-admin', tree.dept.id);
    const { page } = browser;
    await page.goto('/login');
    await page
      .getByRole('button', { name: '退出登录' })
      .click()
      .catch(() => undefined);
    await signIn(page, admin);
    await page.getByRole('menuitem', { name: '配额申请' }).click();
    await page.getByRole('button', { name: '申请配额' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('vCPU（核）').fill(String(GENEROUS.vcpu! + 24));
    const reason = unique('新系统上线');
    await dialog.getByLabel('申请理由').fill(reason);
    await dialog.getByRole('button', { name: '提 交' }).click();
    const row = page.getByRole('row').filter({ hasText: reason });
    await row.getByText('待审批').waitFor();

    const [{ id }] = await t.dataSource.query(`SELECT id FROM quota_requests WHERE reason = $1`, [reason]);
    const operator = await t.world.token('operator');
    await t
      .http()
      .post(`/api/v1/quota-requests/${id}/approve`)
      .set(bearer(operator))
      .send({ comment: '同意' })
      .expect(200);
    await row.getByText('已批准').waitFor({ timeout: 60_000 });
    await row.getByText('同意').waitFor();
    await screenshot(page, 'dept-admin-quota-requests');
  });

  it('imports its systems from a spreadsheet, showing every row error, and exports them', async () => {
    const admin = await loginUser(t, 'dept-admin', tree.dept.id);
    const { page } = browser;
    await signIn(page, admin);
    await page.getByRole('menuitem', { name: '资产清单' }).click();
    const header =
      '部门编码,系统名称,用途,密级,等保级别,架构,数据库,专用设备,数据量(GB),用户数,可用性要求,关键系统';
    const good = unique('社保系统');
    const csv = (...rows: string[]) => ({
      name: 'systems.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from([header, ...rows].join('\n')),
    });
    const file = page.locator('input[type=file]');
    await file.setInputFiles(
      csv(
        `${tree.dept.code},${good},,非涉密,2,B/S,,,1,1,,`,
        `${tree.dept.code},坏等保,,非涉密,9,B/S,,,1,1,,`,
      ),
    );
    const errors = page.locator('.ant-alert').filter({ hasText: '未导入任何数据' });
    await errors
      .getByRole('row')
      .filter({ hasText: 'protectionLevel' })
      .getByText('3', { exact: true })
      .waitFor();
    await screenshot(page, 'dept-admin-inventory-import-errors');
    expect(await t.dataSource.query(`SELECT 1 FROM information_systems WHERE name = $1`, [good])).toEqual([]);

    await file.setInputFiles(csv(`${tree.dept.code},${good},,非涉密,2,B/S,,,1,1,,`));
    await page.getByText('导入完成：共 1 行，新增 1').waitFor();
    await page.getByRole('row').filter({ hasText: good }).getByText('已登记').waitFor();

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出 Excel' }).click();
    const exported = await downloading;
    expect(exported.suggestedFilename()).toMatch(/\.xlsx$/);
    // An XLSX file is a zip archive.
    expect(
      readFileSync(await exported.path())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');

    // The imported system counts in the department's migration progress, not yet migrated.
    await page.getByRole('menuitem', { name: '迁移进度' }).click();
    const total = page.locator('.ant-statistic').filter({ hasText: '信息系统总数' });
    await total.locator('.ant-statistic-content').filter({ hasText: /^1$/ }).waitFor();
    await page.locator('svg').filter({ hasText: '未迁移' }).first().waitFor();
    await screenshot(page, 'dept-admin-migration-progress');
  });
});
