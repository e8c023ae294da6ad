import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { bearer, unique, type TestApp } from './harness.js';

const root = path.resolve(import.meta.dirname, '../..');
const consoleDir = path.join(root, 'console');

function newestSource(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestSource(path.join(entry, name))));
}

/** Builds the web console (npm run build:console) when console/dist is missing or older than its sources. */
export function ensureConsoleBuilt(): void {
  const index = path.join(consoleDir, 'dist', 'index.html');
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) =>
    path.join(consoleDir, p),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newestSource))) return;
  console.log('building the web console (npm run build:console)…');
  const build = spawnSync('npm', ['run', 'build:console'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:console failed');
}

// Debian's Chromium, driven by playwright-core: no browser download, a fresh profile per launch.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export interface ConsoleBrowser {
  page: Page;
  context: BrowserContext;
  baseUrl: string;
  /** Uncaught errors of the page's scripts so far: a test ends by expecting none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Serves the built console from the test app on a free port and opens it in Chromium. Playwright passes
 * the fresh profile directory as --user-data-dir itself (launchPersistentContext).
 */
export async function openConsole(t: TestApp): Promise<ConsoleBrowser> {
  await t.app.listen(0, '127.0.0.1');
  const address = t.app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const profile = mkdtempSync(path.join(tmpdir(), 'govcloud-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    baseURL: baseUrl,
    locale: 'zh-CN',
    viewport: { width: 1440, height: 900 },
  });
  // Generous: the suite runs on a loaded two-core machine.
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(60_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  // What the content security policy refuses breaks the page without an exception: count it as one.
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy'))
      pageErrors.push(message.text());
  });
  return {
    page,
    context,
    baseUrl,
    pageErrors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A user who can sign in with a password, made through the API by an operator. */
export async function loginUser(
  t: TestApp,
  role: string,
  departmentId?: string,
): Promise<{ username: string; password: string }> {
  const operator = await t.world.token('operator');
  const username = unique(role);
  const password = 'Console-test-password-1';
  await t
    .http()
    .post('/api/v1/users')
    .set(bearer(operator))
    .send({ username, password, role, departmentId })
    .expect(201);
  return { username, password };
}

/** Signs in through the login page, ending any earlier session and language choice (so in Chinese). */
export async function signIn(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.goto('/login');
  await page.evaluate('sessionStorage.clear(); localStorage.clear()');
  await page.goto('/');
  await page.getByLabel('用户名').fill(user.username);
  await page.getByLabel('密码').fill(user.password);
  await page.getByRole('button', { name: '登 录' }).click();
  await page.getByTestId('current-user').filter({ hasText: user.username }).waitFor();
}

/**
 * Saves a screenshot of the page as <name>.png into $CONSOLE_SCREENSHOTS (`npm run screenshots` sets it
 * to docs/screenshots, which the README shows); does nothing otherwise, so tests leave the tree alone.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  // Wait for the tables' loading masks and antd's transitions to settle.
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached' })
    .catch(() => undefined);
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true, animations: 'disabled' });
}
