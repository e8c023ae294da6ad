export type DriverErrorCode =
  /** The object is not there (start/stop of a missing object). */
  | 'NotFound'
  /** The pool refused the object as invalid (kube 422, bad domain XML): retrying will not help. */
  | 'Invalid'
  /** The pool refused for lack of rights or quota (kube 403). */
  | 'Forbidden'
  /** A concurrent writer won (kube 409 Conflict): retry after re-reading. */
  | 'Conflict'
  /** The pool could not be reached or answered 5xx/429, or timed out. */
  | 'Unavailable'
  /** The pool's configuration (connection) is unusable. */
  | 'Misconfigured'
  /** Any other failure the driver could not classify. */
  | 'Failed';

const RETRYABLE: Record<DriverErrorCode, boolean> = {
  NotFound: false,
  Invalid: false,
  Forbidden: false,
  Conflict: true,
  Unavailable: true,
  Misconfigured: false,
  Failed: true,
};

/** The one error drivers throw; `retryable` lets the job layer tell a retry from a terminal failure. */
export class DriverError extends Error {
  readonly retryable: boolean;
  /** For Misconfigured: the key of the pool's connection at fault, when it is one. */
  readonly field?: string;

  constructor(
    readonly code: DriverErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown; field?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DriverError';
    this.retryable = options.retryable ?? RETRYABLE[code];
    this.field = options.field;
  }
}

export const isDriverError = (error: unknown): error is DriverError => error instanceof DriverError;
