import { spawn } from 'node:child_process';
import { DriverError } from '../errors.js';

/** What virsh said went wrong, in the words the driver acts on. */
export type VirshFailure =
  'NotFound' | 'AlreadyRunning' | 'NotRunning' | 'AlreadyExists' | 'Unavailable' | 'Invalid' | 'Other';

export class VirshError extends Error {
  constructor(
    readonly failure: VirshFailure,
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`virsh ${args.join(' ')}: ${stderr.trim() || failure}`);
  }

  toDriverError(what: string): DriverError {
    const message = `${what}: ${this.stderr.trim().replace(/^error: /gm, '') || this.failure}`;
    switch (this.failure) {
      case 'NotFound':
        return new DriverError('NotFound', message, { cause: this });
      case 'Invalid':
        return new DriverError('Invalid', message, { cause: this });
      case 'Unavailable':
        return new DriverError('Unavailable', message, { cause: this });
      default:
        return new DriverError('Failed', message, { cause: this });
    }
  }
}

// libvirt's messages in the C locale (the driver runs virsh with LC_ALL=C), the first match deciding: a
// lost connection first, since virsh follows it with the call's own failure ("failed to get domain"),
// which must not read as the domain being gone.
const PATTERNS: [RegExp, VirshFailure][] = [
  [
    /failed to connect|Cannot recv data|End of file|unable to connect|Connection refused|Connection reset|Broken pipe|Cannot read|Cannot write|Disconnected from|keepalive|client socket is closed/i,
    'Unavailable',
  ],
  [
    /failed to get domain|Domain not found|no domain with matching|failed to get vol|Storage volume not found|no storage vol/i,
    'NotFound',
  ],
  [/already active|already running/i, 'AlreadyRunning'],
  [/domain is not running|not running/i, 'NotRunning'],
  [/already in use|already exists|exists already/i, 'AlreadyExists'],
  // Case and word matter: "qemu unexpectedly closed the monitor" is a host's trouble, not bad XML.
  [
    /XML error|failed to validate|unsupported configuration|invalid argument|cannot parse|invalid character/i,
    'Invalid',
  ],
  [/\bExpected\b/, 'Invalid'],
];

export const classify = (stderr: string): VirshFailure =>
  PATTERNS.find(([pattern]) => pattern.test(stderr))?.[1] ?? 'Other';

/**
 * What virsh and the transport it starts (ssh) need of the worker's environment, and no more: the
 * worker's own holds the key to every pool's secret.
 */
const PASSED_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'SSH_AUTH_SOCK'];

/**
 * Runs `virsh -c <uri> ...args` without a shell; answers stdout, throws VirshError. virsh runs in a
 * process group of its own, so a timeout ends the transport it started too (an ssh hung on a dead host
 * would otherwise outlive it).
 */
export function virsh(uri: string, args: string[], timeoutMs: number): Promise<string> {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C' };
  for (const name of PASSED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
  return new Promise((resolve, reject) => {
    // spawn, not execFile: only spawn makes the process group (`detached`).
    const child = spawn('virsh', ['-c', uri, ...args], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new VirshError('Unavailable', args, 'virsh is not installed (apt-get install libvirt-clients)')
          : error,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const errors = Buffer.concat(stderr).toString();
      if (code === 0 && !timedOut) return resolve(Buffer.concat(stdout).toString());
      if (timedOut) return reject(new VirshError('Unavailable', args, `timed out after ${timeoutMs} ms`));
      reject(new VirshError(classify(errors), args, errors));
    });
  });
}
