// `npm run demo`: API and worker in one process over PostgreSQL and Redis (the configured ones, or
// project-local ones under .data/), migrated and seeded with the demo city. Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ensureServices, freePort } from './local-services.js';

if (existsSync('.env')) process.loadEnvFile('.env');
const root = path.resolve(import.meta.dirname, '..');

/** Demo secrets are generated once and kept under .data/, so a restart keeps logins and stored secrets valid. */
function demoSecrets(): { JWT_SECRET: string; SECRET_KEY: string } {
  const file = path.join(root, '.data', 'demo-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    SECRET_KEY: randomBytes(32).toString('hex'),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

async function ensureDemoDatabase(serverUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'govcloud'`);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE govcloud');
  await client.end();
  const url = new URL(serverUrl);
  url.pathname = '/govcloud';
  return url.toString();
}

const configured = Boolean(process.env.DATABASE_URL);
const services = await ensureServices();
let shuttingDown = false;
let closeApp: (() => Promise<void>) | undefined;
const shutdown = async () => {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('\n正在停止 Stopping…');
  await closeApp?.().catch(() => undefined);
  await services.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

try {
  process.env.DATABASE_URL = configured
    ? services.databaseUrl
    : await ensureDemoDatabase(services.databaseUrl);
  process.env.REDIS_URL = services.redisUrl;
  const secrets = demoSecrets();
  process.env.JWT_SECRET ??= secrets.JWT_SECRET;
  process.env.SECRET_KEY ??= secrets.SECRET_KEY;
  process.env.PORT ??= String(await portOrFree(3000));
  // The banner is what a demo user reads; Nest's start-up lines would bury it (LOG_LEVEL=info shows them).
  process.env.LOG_LEVEL ??= 'warn';

  (await import('../test/support/console.js')).ensureConsoleBuilt();
  const { migrate } = await import('../test/support/database.js');
  await migrate(process.env.DATABASE_URL);
  const { createApp } = await import('../src/bootstrap.js');
  const { DataSource } = await import('typeorm');
  const { seedDemoCity, DEMO_PASSWORD } = await import('../src/demo/demo-city.js');
  const app = await createApp({ api: true, worker: true });
  closeApp = () => app.close();
  const logins = await seedDemoCity(app.get(DataSource));
  await (await import('../src/demo/demo-quotas.js')).seedDemoQuotas(app);
  await (await import('../src/demo/demo-usage.js')).seedDemoUsage(app);
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  const url = `http://127.0.0.1:${process.env.PORT}`;
  console.log(`
govcloud 政务云控制台 is running 已启动
  控制台 Console      ${url}/
  接口文档 API docs    ${url}/api/docs
  指标 Metrics         ${url}/metrics
演示账号 Demo logins (password 密码: ${DEMO_PASSWORD})
${logins.map((l) => `  ${l.username.padEnd(10)} ${l.role}${l.department ? ` · ${l.department}` : ''}`).join('\n')}
按 Ctrl-C 停止 Press Ctrl-C to stop.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await services.stop();
  process.exit(1);
}

async function portOrFree(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  return free ? preferred : freePort();
}
