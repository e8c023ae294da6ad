// `npm test`: real PostgreSQL and Redis (configured, or project-local ones), a fresh database created
// by the migrations, then Jest over the whole suite (extra arguments go to Jest); the database is dropped
// after the run unless KEEP_TEST_DATABASE is set.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createDatabase, dropDatabase, migrate } from '../test/support/database.js';
import { ensureServices } from './local-services.js';

// The Debian packages and the local libvirtd the suite needs; quick when they are already there.
const setup = spawnSync(path.join(import.meta.dirname, 'setup-system.sh'), { stdio: 'inherit' });
if (setup.status !== 0) {
  console.error('npm test: scripts/setup-system.sh failed; run it as root once, then npm test again');
  process.exit(1);
}

const services = await ensureServices();
const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const databaseName = `govcloud_test_${run}`;
let code = 1;
try {
  const databaseUrl = await createDatabase(services.databaseUrl, databaseName);
  await migrate(databaseUrl);
  const jest = path.join(
    path.dirname(createRequire(import.meta.url).resolve('jest/package.json')),
    'bin/jest.js',
  );
  const child = spawn(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings=ExperimentalWarning',
      jest,
      '--runInBand',
      ...process.argv.slice(2),
    ],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        GOVCLOUD_BASE_DATABASE_URL: services.databaseUrl,
        DATABASE_URL: databaseUrl,
        REDIS_URL: services.redisUrl,
        QUEUE_PREFIX: `test-${run}`,
        JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
        SECRET_KEY: process.env.SECRET_KEY ?? randomBytes(32).toString('hex'),
        GOVCLOUD_ADMIN_PASSWORD: 'admin-password-for-tests',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
        OUTBOX_POLL_MS: '100',
      },
    },
  );
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  code = await new Promise<number>((resolve) => child.on('exit', (exit) => resolve(exit ?? 1)));
} finally {
  // Kept when asked, to look into a failure; otherwise every run would leave its database behind.
  if (!process.env.KEEP_TEST_DATABASE)
    await dropDatabase(services.databaseUrl, databaseName).catch((error: unknown) =>
      console.error(`npm test: could not drop ${databaseName}: ${String(error)}`),
    );
  await services.stop();
}
process.exit(code);
