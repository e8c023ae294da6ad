// What every request body and query string goes through before a controller sees it: JSON parsing with
// its failures answered in the API's error shape, and a refusal of strings PostgreSQL cannot store
// exactly (NUL, lone UTF-16 surrogates, bytes that are not UTF-8), so that a stored string always comes
// back as it was sent instead of failing deep in a query (500) or being silently altered (U+FFFD).
import type { NextFunction, Request, Response } from 'express';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { DomainError, ErrorCode, invalid } from './errors.js';
import { toErrorBody } from './exception.filter.js';

export const BODY_LIMIT = '1mb';

/** body-parser's verify hook: refuses a body that is not UTF-8 rather than decoding it with U+FFFD. */
export function requireUtf8(_req: unknown, _res: unknown, buffer: Buffer): void {
  if (!isUtf8(buffer)) throw Object.assign(new Error('body: is not valid UTF-8'), { status: 400 });
}

/** body-parser failures carry an http-errors `type`; map them to a DomainError naming the problem. */
export function fromBodyParser(error: { type?: string; status?: number; message?: string }): DomainError {
  const detail = error.message ?? 'unreadable';
  switch (error.type) {
    case 'entity.parse.failed':
      return new DomainError(ErrorCode.InvalidInput, `body: is not valid JSON (${detail})`, {
        field: 'body',
      });
    case 'entity.too.large':
      return new DomainError(ErrorCode.PayloadTooLarge, `body: larger than the ${BODY_LIMIT} limit`, {
        field: 'body',
      });
    case 'charset.unsupported':
      return new DomainError(ErrorCode.UnsupportedMediaType, `content-type: ${detail}; send UTF-8 JSON`);
    case 'encoding.unsupported':
      return new DomainError(ErrorCode.UnsupportedMediaType, `content-encoding: ${detail}`);
    case 'entity.verify.failed':
      return new DomainError(ErrorCode.InvalidInput, detail, { field: 'body' });
    case 'request.size.invalid':
      return new DomainError(ErrorCode.InvalidInput, 'content-length: does not match the body');
    default:
      return new DomainError(ErrorCode.InvalidInput, `body: ${detail}`, { field: 'body' });
  }
}

/** Express error middleware right after the body parser: its errors get the API's error body. */
export function bodyParserErrors(
  error: unknown,
  req: Request & { id?: unknown },
  res: Response,
  next: NextFunction,
): void {
  const status = (error as { status?: unknown })?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return next(error);
  answer(req, res, fromBodyParser(error as { type?: string }));
}

/** These middlewares run before Nest's router, so they answer errors themselves, in the same shape. */
function answer(req: Request & { id?: unknown }, res: Response, error: DomainError): void {
  const body = toErrorBody(error);
  res.status(body.statusCode).json({ ...body, requestId: req.id === undefined ? undefined : String(req.id) });
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const DROPPED_KEYS = ['__proto__', 'constructor'];

/** Deeper JSON than any endpoint takes; deeper still would overflow the stack of class-transformer. */
export const MAX_DEPTH = 32;

/**
 * The first problem with a parsed body or query as `path: problem`, else undefined: a string (value
 * or key) PostgreSQL would refuse or alter, a key the validation would drop, or nesting deeper than
 * MAX_DEPTH.
 */
export function unstorable(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return `${path}: must not contain the NUL character (U+0000)`;
    if (LONE_SURROGATE.test(value)) return `${path}: is not valid Unicode (a lone surrogate)`;
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return `${path.slice(0, 60)}…: nested more than ${MAX_DEPTH} levels deep`;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    // Nest's validation drops these (prototype pollution) without a word: refuse them by name instead.
    if (DROPPED_KEYS.includes(key)) return `${childPath} (the key): is not accepted`;
    const problem = unstorable(key, `${childPath} (the key)`) ?? unstorable(child, childPath, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Refuses NUL, lone surrogates and absurd nesting in the body, the query string and the path, naming the field. */
export function rejectUnstorableStrings(req: Request, res: Response, next: NextFunction): void {
  if (/%00/i.test(req.url))
    return answer(req, res, invalid('url', 'must not contain the NUL character (%00)'));
  const problem = unstorable(req.query, '') ?? unstorable(req.body, '');
  if (problem) return answer(req, res, new DomainError(ErrorCode.InvalidInput, problem));
  next();
}

/**
 * Node answers a request it cannot parse (headers over 16 KB, a malformed request line) itself, with an
 * empty body; answer in the API's error shape instead, naming what was wrong.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (error.code === 'ECONNRESET' && socket.destroyed)) return void socket.destroy();
    const [status, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers: larger than the server accepts (16 KB)']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request: not received in time']
          : [400, `request: not valid HTTP (${error.code ?? error.message})`];
    const requestId = randomUUID();
    const body = JSON.stringify({ statusCode: status, error: ErrorCode.InvalidInput, message, requestId });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
