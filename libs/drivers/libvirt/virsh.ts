import { execFile } from 'node:child_process';
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

// libvirt's messages in the C locale (the driver runs virsh with LC_ALL=C).
const PATTERNS: [RegExp, VirshFailure][] = [
  [
    /failed to get domain|Domain not found|no domain with matching|failed to get vol|Storage volume not found|no storage vol/i,
    'NotFound',
  ],
  [/already active|already running/i, 'AlreadyRunning'],
  [/domain is not running|not running/i, 'NotRunning'],
  [/already in use|already exists|exists already/i, 'AlreadyExists'],
  [
    /failed to connect|Cannot recv data|End of file while reading|unable to connect|Connection refused|Broken pipe|Cannot read/i,
    'Unavailable',
  ],
  [
    /XML error|failed to validate|unsupported configuration|invalid argument|Expected|cannot parse/i,
    'Invalid',
  ],
];

export const classify = (stderr: string): VirshFailure =>
  PATTERNS.find(([pattern]) => pattern.test(stderr))?.[1] ?? 'Other';

/** Runs `virsh -c <uri> ...args` without a shell; answers stdout, throws VirshError. */
export function virsh(uri: string, args: string[], timeoutMs: number): Promise<string> {
  const argv = ['-c', uri, ...args];
  return new Promise((resolve, reject) => {
    execFile(
      'virsh',
      argv,
      { timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          return reject(
            new VirshError('Unavailable', args, 'virsh is not installed (apt-get install libvirt-clients)'),
          );
        }
        if (error.killed)
          return reject(new VirshError('Unavailable', args, `timed out after ${timeoutMs} ms`));
        reject(new VirshError(classify(stderr), args, stderr));
      },
    );
  });
}
