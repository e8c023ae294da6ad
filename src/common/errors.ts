/** Domain error codes; the exception filter maps each to an HTTP status, exhaustively. */
export enum ErrorCode {
  NotFound = 'NotFound',
  Conflict = 'Conflict',
  InvalidInput = 'InvalidInput',
  Unprocessable = 'Unprocessable',
  Unauthorized = 'Unauthorized',
  Forbidden = 'Forbidden',
  QuotaExceeded = 'QuotaExceeded',
  InvalidTransition = 'InvalidTransition',
  Unavailable = 'Unavailable',
  PayloadTooLarge = 'PayloadTooLarge',
  UnsupportedMediaType = 'UnsupportedMediaType',
  TooManyRequests = 'TooManyRequests',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) =>
  new DomainError(ErrorCode.NotFound, `${what} ${id} not found`);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.Conflict, message, details);
export const invalid = (field: string, problem: string) =>
  new DomainError(ErrorCode.InvalidInput, `${field}: ${problem}`, { field });
export const forbidden = (message: string) => new DomainError(ErrorCode.Forbidden, message);

export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
