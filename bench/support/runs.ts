// Helpers of the benchmarks that start processes of the project's and load them from many clients.
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** Starts processes running `script` and waits until each has its BullMQ workers up. */
export async function processes(script: string, count: number, env: Record<string, string> = {}) {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', './scripts/register.mjs', script], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('workers started')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
        }),
    ),
  );
  for (const child of children) child.stdout!.resume();
  return {
    pids: children.map((child) => child.pid!),
    stop: () =>
      Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              child.removeAllListeners('exit');
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      ),
  };
}

/** Runs `task` for 0..n-1 with `clients` in flight. */
export async function concurrently(n: number, clients: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

/** Milliseconds of CPU per item for each part, as `parts (ms): a 0.12, b 0.30; clients 0.05`. */
export function perItem(used: Record<string, number>, items: number): string {
  const ms = (name: string) => `${name} ${((used[name] * 1000) / items).toFixed(3)}`;
  const server = Object.keys(used).filter((name) => name !== 'clients');
  const total = server.reduce((sum, name) => sum + used[name], 0);
  return `${server.map(ms).join(', ')}; total 合计 ${((total * 1000) / items).toFixed(3)} (${ms('clients')})`;
}
