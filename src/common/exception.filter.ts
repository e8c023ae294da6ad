import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  getMetadataArgsStorage,
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import { rootLogger } from './logger.js';
import { assertUnreachable, DomainError, ErrorCode } from './errors.js';

export function statusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.NotFound:
      return HttpStatus.NOT_FOUND;
    case ErrorCode.Conflict:
    case ErrorCode.QuotaExceeded:
    case ErrorCode.InvalidTransition:
      return HttpStatus.CONFLICT;
    case ErrorCode.InvalidInput:
      return HttpStatus.BAD_REQUEST;
    case ErrorCode.Unprocessable:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case ErrorCode.Unauthorized:
      return HttpStatus.UNAUTHORIZED;
    case ErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case ErrorCode.Unavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
    case ErrorCode.PayloadTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case ErrorCode.UnsupportedMediaType:
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case ErrorCode.TooManyRequests:
      return HttpStatus.TOO_MANY_REQUESTS;
    default:
      return assertUnreachable(code);
  }
}

export interface ErrorFields {
  statusCode: number;
  error: string;
  message: string;
  [key: string]: unknown;
}

type ErrorBody = ErrorFields & { requestId?: string };

/**
 * The API field a table's column holds: its entity property (department_id → departmentId). The request
 * named the field, so its error does too, not the column's database spelling.
 */
export function fieldOf(table: string | undefined, column: string): string {
  const storage = getMetadataArgsStorage();
  const targets = storage.tables.filter((t) => t.name === table).map((t) => t.target);
  const found = storage.columns.find(
    (c) => targets.includes(c.target) && (c.options.name ?? c.propertyName) === column,
  );
  return (
    found?.propertyName ?? column.replace(/_([a-z0-9])/g, (_all, letter: string) => letter.toUpperCase())
  );
}

/** The columns and values of a key in a constraint's detail: "Key (a, b)=(x, y) …". */
const KEY_DETAIL = /^Key \(([^)]+)\)=\((.*)\) (.+)$/;

/** Postgres errors that are the client's mistake, keyed by SQLSTATE. */
function fromPostgres(error: QueryFailedError): ErrorFields | undefined {
  const pg = error.driverError as {
    code?: string;
    detail?: string;
    constraint?: string;
    column?: string;
    table?: string;
  };
  const key = pg.detail?.match(KEY_DETAIL);
  const fields = key?.[1].split(', ').map((column) => fieldOf(pg.table, column));
  const column = pg.column && fieldOf(pg.table, pg.column);
  switch (pg.code) {
    case '23505':
      return {
        statusCode: 409,
        error: ErrorCode.Conflict,
        message: key ? `${fields!.join(', ')}: ${key[2]} already exists` : `already exists: ${pg.constraint}`,
        ...(key && { field: fields!.at(-1) }),
      };
    case '23503':
    case '23001': // restrict_violation: PostgreSQL 18 reports ON DELETE RESTRICT with its own code
      // Writing a row that names one that does not exist is the request's mistake, in the field naming
      // it; deleting (or re-keying) a row others still reference is a conflict.
      return key && error.message.startsWith('insert or update')
        ? {
            statusCode: 400,
            error: ErrorCode.InvalidInput,
            message: `${fields!.join(', ')}: ${key[2]} does not exist`,
            field: fields!.at(-1),
          }
        : {
            statusCode: 409,
            error: ErrorCode.Conflict,
            message: `still referenced: ${pg.detail ?? pg.constraint}`,
          };
    case '23514': // check_violation: a CHECK constraint, or a trigger refusing a change with its reasons
      return { statusCode: 409, error: ErrorCode.Conflict, message: error.message };
    case '23502':
      // not_null_violation: an optional field sent as null where the column takes none.
      return {
        statusCode: 400,
        error: ErrorCode.InvalidInput,
        message: `${column ?? 'value'}: must not be null`,
        ...(column && { field: column }),
      };
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22009': // invalid_time_zone_displacement_value: a UTC offset beyond ±15:59 the request checks missed
    case '22001':
    case '22021': // character_not_in_repertoire: a NUL or invalid byte the request checks missed
    case '22P05': // untranslatable_character: \u0000 inside jsonb
      return {
        statusCode: 400,
        error: ErrorCode.InvalidInput,
        message: `${column ?? 'value'}: ${error.message}`,
        ...(column && { field: column }),
      };
    case '40P01': // deadlock_detected
    case '40001': // serialization_failure
      return {
        statusCode: 503,
        error: ErrorCode.Unavailable,
        message: 'a concurrent change got in the way, retry',
      };
    default:
      return undefined;
  }
}

/**
 * The database or Redis is out of reach (down, restarting, pool exhausted): the request may succeed if
 * sent again, so 503 with Retry-After, not 500. SQLSTATE class 08 (connection exception), 57P01-03
 * (shutdown, crash, starting up), 53300 (too many connections), and the socket errors of pg and ioredis.
 */
const UNAVAILABLE_CODES = /^(08...|57P0[123]|53300|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/;
const UNAVAILABLE_MESSAGES =
  /ECONNREFUSED|ECONNRESET|Connection terminated|timeout exceeded when trying to connect|the database system is|Connection is closed|encountered a connection error and is not queryable/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isUnavailable(exception: unknown): boolean {
  // TypeORM releases a query runner when its connection emits an error and drops that error, so the
  // next query in the transaction fails with one of these instead; runners are otherwise released only
  // in finally blocks, so here it means the connection was lost.
  if (
    exception instanceof QueryRunnerAlreadyReleasedError ||
    exception instanceof QueryRunnerProviderAlreadyReleasedError
  )
    return true;
  if (!(exception instanceof Error)) return false;
  const driverError = exception instanceof QueryFailedError ? exception.driverError : undefined;
  const codes = [codeOf(exception), codeOf(driverError)];
  // pg reports a refused connection to a name with several addresses as an AggregateError without a message.
  const inner = exception instanceof AggregateError ? exception.errors : [];
  return (
    codes.some((code) => code !== undefined && UNAVAILABLE_CODES.test(code)) ||
    inner.some((error) => isUnavailable(error)) ||
    UNAVAILABLE_MESSAGES.test(exception.message)
  );
}

/** Seconds a client should wait before sending a request that answered 503 again. */
export const RETRY_AFTER_SECONDS = 2;

/** The error body every failure answers with (the request id is added by the caller). */
export function toErrorBody(exception: unknown): ErrorFields {
  if (exception instanceof DomainError) {
    return {
      statusCode: statusOf(exception.code),
      error: exception.code,
      message: exception.message,
      ...exception.details,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const res = exception.getResponse();
    const message =
      typeof res === 'string'
        ? res
        : Array.isArray((res as { message?: unknown }).message)
          ? (res as { message: string[] }).message.join('; ')
          : String((res as { message?: unknown }).message ?? exception.message);
    const error = (res as { error?: string }).error ?? HttpStatus[status] ?? 'Error';
    return { statusCode: status, error, message };
  }
  if (exception instanceof QueryFailedError) {
    const mapped = fromPostgres(exception);
    if (mapped) return mapped;
  }
  if (isUnavailable(exception)) {
    return {
      statusCode: 503,
      error: ErrorCode.Unavailable,
      message: 'a backing service is unavailable, retry later',
    };
  }
  return { statusCode: 500, error: 'InternalServerError', message: 'internal error' };
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const body: ErrorBody = { ...toErrorBody(exception), requestId: request.id };
    if (body.statusCode >= 500 && body.statusCode !== 503) {
      rootLogger().error({ err: exception, requestId: request.id, path: request.url }, 'unhandled error');
    }
    if (response.headersSent) return;
    if (body.statusCode === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    if (body.statusCode === 429 && typeof body.retryAfterSeconds === 'number')
      response.setHeader('Retry-After', String(body.retryAfterSeconds));
    // JSON whatever the route declared for its success (res.json keeps a Content-Type already set).
    response.status(body.statusCode).type('application/json').json(body);
  }
}
