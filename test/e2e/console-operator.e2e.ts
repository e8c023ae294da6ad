import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';
import {
  ensureConsoleBuilt,
  loginUser,
  openConsole,
  screenshot,
  signIn,
  type ConsoleBrowser,
} from '../support/console.js';
import { aHost, aRoom, aSystem, backdate, HAPPY_PATH, walk } from '../support/inventory.js';
import { DOUBLE, GENEROUS, grantQuota } from '../support/provisioning.js';

// Generous: Chromium and the app share a loaded two-core machine.
jest.setTimeout(180_000);

describe('web console in Chromium: an operator', () => {
  let t: TestApp;
  let browser: ConsoleBrowser;
  let operatorToken: string;
  // Uniquely named: other suites' departments share the database.
  let city: Awaited<ReturnType<TestApp['world']['department']>>;
  let dept: typeof city;

  /** Picks this test's city in a department filter (labelled by its placeholder) by typing its name. */
  const chooseCity = async (page: Page, label: string) => {
    await page.getByRole('combobox', { name: label }).fill(city.name);
    await page.locator('.ant-select-item-option').filter({ hasText: city.name }).click();
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startApp({ api: true, worker: false });
    city = await t.world.department('city', undefined, { name: unique('运维测试市') });
    const district = await t.world.department('district', city, { name: unique('运维测试区') });
    dept = await t.world.department('department', district, { name: unique('运维测试局') });
    await grantQuota(t, [city, district], DOUBLE);
    await grantQuota(t, [dept], GENEROUS);
    operatorToken = await t.world.token('operator');
    browser = await openConsole(t);
    await signIn(browser.page, await loginUser(t, 'operator'));
  }, 300_000);
  afterEach(() => expect(browser.pageErrors).toEqual([]));
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('approves in part a quota request a dept-admin filed, and the department’s limit changes', async () => {
    const admin = await t.world.token('dept-admin', dept.id);
    const reason = unique('人口库扩容');
    await t
      .http()
      .post('/api/v1/quota-requests')
      .set(bearer(admin))
      .send({
        departmentId: dept.id,
        limits: { vcpu: GENEROUS.vcpu! + 24, memoryGiB: GENEROUS.memoryGiB! + 64 },
        reason,
      })
      .expect(201);

    const { page } = browser;
    // The inbox is the operator's home page.
    await page.goto('/');
    await page.waitForURL('**/approvals');
    const row = page.getByRole('row').filter({ hasText: reason });
    await row.getByText('待审批').waitFor();
    await row.getByText(dept.name).waitFor();
    await row.getByRole('button', { name: '批 准' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`申请值：${GENEROUS.vcpu! + 24}`).waitFor();
    await dialog.getByLabel('vCPU（核）').fill(String(GENEROUS.vcpu! + 8));
    await dialog.getByLabel('审批意见').fill('先批 8 核，其余下季度');
    await dialog.locator('[data-dimension="vcpu"]').waitFor();
    await screenshot(page, 'operator-approvals');
    await dialog.getByRole('button', { name: '批 准' }).click();
    await page.getByText('已批准，新限额已生效').waitFor();
    await dialog.waitFor({ state: 'hidden' });

    // Pending is the default filter: the decided request shows under 已批准.
    await page.getByRole('combobox', { name: '审批状态' }).click();
    await page.getByTitle('已批准').click();
    await row.getByText('已批准').waitFor();
    await row.getByText('先批 8 核，其余下季度').waitFor();

    const [limits] = await t.dataSource.query(
      'SELECT vcpu_limit, memory_gib_limit, gpu_limit FROM department_quotas WHERE department_id = $1',
      [dept.id],
    );
    expect(limits).toEqual({
      vcpu_limit: String(GENEROUS.vcpu! + 8),
      memory_gib_limit: String(GENEROUS.memoryGiB! + 64),
      gpu_limit: String(GENEROUS.gpu),
    });
  });

  it('shows the migration statistics with the gap to target and the burn-up', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await t
        .http()
        .post('/api/v1/systems')
        .set(bearer(operatorToken))
        .send(aSystem(dept.id))
        .expect(201);
      ids.push(body.id);
    }
    const weeksAgo = (n: number) => new Date(Date.now() - n * 7 * 86_400_000).toISOString().slice(0, 10);
    for (const [i, id] of ids.slice(0, 3).entries()) {
      await walk(t, operatorToken, 'systems', id, 'migrated');
      // Migrated in successive fortnights, for the burn-up to climb.
      for (const to of HAPPY_PATH.slice(0, HAPPY_PATH.indexOf('migrated') + 1))
        await backdate(t, id, to, weeksAgo(6 - 2 * i));
    }
    await walk(t, operatorToken, 'systems', ids[3], 'migrating');
    for (const id of ids) await backdate(t, id, 'inventoried', weeksAgo(10));
    const dueDate = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await t
      .http()
      .post('/api/v1/migration/targets')
      .set(bearer(operatorToken))
      .send({ dueDate, percentage: 100, scopeDepartmentId: city.id, label: '年底全部迁移' })
      .expect(201);

    const { page } = browser;
    await page.getByRole('menuitem', { name: '迁移统计' }).click();
    await page.waitForURL('**/migration-stats');
    await chooseCity(page, '单位');
    const row = page.getByRole('row').filter({ hasText: dept.name });
    await row.getByText(`${dueDate} 前 100.00%`).waitFor();
    // 3 of 5 non-classified systems migrated: 60%, 2 to go for 100%.
    await row.getByText('60%').waitFor();
    await expect(row.locator('td').last().textContent()).resolves.toBe('2');
    await page.locator('svg').filter({ hasText: '已迁移系统（累计）' }).waitFor();
    await screenshot(page, 'operator-migration-stats');
  });

  it('tries to close a server room and sees the hosts and systems that block it', async () => {
    const http = () => t.http();
    const room = (
      await http().post('/api/v1/server-rooms').set(bearer(operatorToken)).send(aRoom(dept.id)).expect(201)
    ).body as { id: string; name: string };
    const host = aHost(dept.id, { serverRoomId: room.id });
    await http().post('/api/v1/hosts').set(bearer(operatorToken)).send(host).expect(201);
    const system = aSystem(dept.id, { serverRoomId: room.id });
    await http().post('/api/v1/systems').set(bearer(operatorToken)).send(system).expect(201);
    for (const to of ['closure-planned', 'closing'])
      await http()
        .post(`/api/v1/server-rooms/${room.id}/transitions`)
        .set(bearer(operatorToken))
        .send({ to })
        .expect(200);

    const { page } = browser;
    await page.getByRole('menuitem', { name: '机房管理' }).click();
    await page.waitForURL('**/server-rooms');
    await chooseCity(page, '部门');
    const row = page.getByRole('row').filter({ hasText: room.name });
    await row.getByText('关停中').waitFor();
    await row.getByRole('button', { name: '关 停' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: '关 停' }).click();
    const blockers = dialog.getByTestId('closure-blockers');
    await blockers.getByText('机房尚不能关停：1 台主机、1 个系统未完成迁移').waitFor();
    await blockers.getByText(host.hostname).waitFor();
    await blockers.getByText(system.name).waitFor();
    await screenshot(page, 'operator-room-closure');
    const [{ status }] = await t.dataSource.query('SELECT status FROM server_rooms WHERE id = $1', [room.id]);
    expect(status).toBe('closing');
    await dialog.getByRole('button', { name: '取 消' }).click();
  });
});
