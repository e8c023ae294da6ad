import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import {
  ensureConsoleBuilt,
  loginUser,
  openConsole,
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

describe('web console in Chromium: a dept-admin signs in and follows its resources', () => {
  let t: TestApp;
  let browser: ConsoleBrowser;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startApp({ api: true, worker: true });
    tree = await t.world.city();
    await grantQuota(t, [tree.city], DOUBLE);
    await grantQuota(t, [tree.district, tree.dept], GENEROUS);
    browser = await openConsole(t);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the console for page paths, and the API and probes as before', async () => {
    const page = await t.http().get('/resources').expect(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('<div id="root">');
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
});
