// Real API and worker processes (src/main.ts, src/worker.ts through the SWC loader), for the fault
// suite and the HTTP benchmark: what runs in production, not an in-process Nest app.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface Proc {
  name: string;
  child: ChildProcess;
  /** The last lines it printed, for a failure message. */
  tail(): string;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<string>;
  /** Resolves once it has printed `text` (now or before); rejects if it exits first. */
  printed(text: string): Promise<void>;
  /** Calls `listener` with each whole line it prints from now on, stdout and stderr alike. */
  onLine(listener: (line: string) => void): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnEntry(
  name: string,
  entry: 'src/main.ts' | 'src/worker.ts',
  env: NodeJS.ProcessEnv,
): Proc {
  const child = spawn(process.execPath, ['--import', './scripts/register.mjs', entry], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const lineListeners: Array<(line: string) => void> = [];
  const awaited: Array<{ wanted: string; resolve: () => void }> = [];
  let everything = '';
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      const whole = (partial + text).split('\n');
      partial = whole.pop()!;
      for (const line of whole.filter(Boolean)) {
        lines.push(line);
        for (const listener of lineListeners) listener(line);
      }
      if (lines.length > 40) lines.splice(0, lines.length - 40);
      // Look in the whole chunk before trimming: a busy test reads a pipe full of lines at once (a worker
      // logging Redis errors), and the line awaited may lie further back than the trimmed tail reaches.
      const seen = everything + text;
      for (const { wanted, resolve } of awaited) if (seen.includes(wanted)) resolve();
      everything = seen.slice(-4096);
    });
  }
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? String(code))),
  );
  return {
    name,
    child,
    tail: () => lines.join('\n'),
    exited,
    printed: (text) =>
      new Promise<void>((resolve, reject) => {
        if (everything.includes(text)) return resolve();
        awaited.push({ wanted: text, resolve });
        void exited.then(() =>
          reject(new Error(`${name} exited before printing "${text}":\n${lines.join('\n')}`)),
        );
      }),
    onLine: (listener) => void lineListeners.push(listener),
    stop: async (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls url until it answers `status`; answers the milliseconds it took. */
export async function waitForHttp(
  url: string,
  { status = 200, timeoutMs = 90_000, proc = undefined as Proc | undefined } = {},
) {
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === status) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`${proc.name} exited while waiting for ${url}:\n${proc.tail()}`);
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `${url} did not answer ${status} within ${timeoutMs} ms${proc ? `:\n${proc.tail()}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An API process on `port`, answered once /healthz is up. */
export async function startApi(name: string, port: number, env: NodeJS.ProcessEnv): Promise<Proc> {
  const proc = spawnEntry(name, 'src/main.ts', { ...env, PORT: String(port) });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, { proc });
  return proc;
}
