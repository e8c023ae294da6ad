import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import { entities } from '../database/entities.js';
import { AllExceptionsFilter, RETRY_AFTER_SECONDS, toErrorBody } from './exception.filter.js';

const pgError = (
  code: string | undefined,
  message = `pg error ${code}`,
  fields: Record<string, string> = {},
) => new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code, ...fields }));

const socketError = (code: string) =>
  Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111 });

describe('errors of a backing service answer 503, not 500', () => {
  it.each([
    ['57P01 admin_shutdown', pgError('57P01')],
    ['57P02 crash_shutdown', pgError('57P02')],
    ['57P03 cannot_connect_now', pgError('57P03', 'the database system is starting up')],
    ['53300 too_many_connections', pgError('53300')],
    ['08006 connection_failure', pgError('08006')],
    ['08P01 protocol_violation', pgError('08P01')],
    ['40P01 deadlock_detected', pgError('40P01', 'deadlock detected')],
    ['40001 serialization_failure', pgError('40001', 'could not serialize access')],
    ['a terminated connection inside a query', pgError(undefined, 'Connection terminated unexpectedly')],
    ['a refused connection', socketError('ECONNREFUSED')],
    ['a reset connection', socketError('ECONNRESET')],
    ['a refused connection to every address', new AggregateError([socketError('ECONNREFUSED')], '')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    [
      'a query on a connection that broke',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['a connection lost between two queries of a transaction', new QueryRunnerAlreadyReleasedError()],
    ['the same, through the transaction’s manager', new QueryRunnerProviderAlreadyReleasedError()],
  ])('%s', (_name, error) => {
    expect(toErrorBody(error)).toMatchObject({ statusCode: 503, error: 'Unavailable' });
  });

  it('keeps the client’s mistakes 4xx and anything unknown 500', () => {
    expect(toErrorBody(pgError('23505')).statusCode).toBe(409);
    expect(toErrorBody(pgError('22P02')).statusCode).toBe(400);
    expect(toErrorBody(pgError('22009')).statusCode).toBe(400);
    expect(toErrorBody(pgError('42P01', 'relation "x" does not exist')).statusCode).toBe(500);
    expect(toErrorBody(new Error('boom')).statusCode).toBe(500);
    expect(toErrorBody(new AggregateError([new Error('boom')], '')).statusCode).toBe(500);
  });

  it('names the API field, not the column, in the errors of constraints', () => {
    expect(entities.length).toBeGreaterThan(0); // their metadata maps columns to fields
    const missing = pgError(
      '23503',
      'insert or update on table "information_systems" violates foreign key constraint "fk_systems_server_room"',
      {
        table: 'information_systems',
        detail:
          'Key (server_room_id)=(7f1c0e4e-0000-4000-8000-000000000000) is not present in table "server_rooms".',
      },
    );
    expect(toErrorBody(missing)).toEqual({
      statusCode: 400,
      error: 'InvalidInput',
      message: 'serverRoomId: 7f1c0e4e-0000-4000-8000-000000000000 does not exist',
      field: 'serverRoomId',
    });
    const referenced = pgError(
      '23503',
      'update or delete on table "server_rooms" violates foreign key constraint "fk_hosts_server_room" on table "hosts"',
      { table: 'hosts', detail: 'Key (id)=(x) is still referenced from table "hosts".' },
    );
    expect(toErrorBody(referenced)).toMatchObject({ statusCode: 409, error: 'Conflict' });
    const unset = pgError('23502', 'null value in column "contract_start"', {
      table: 'network_leases',
      column: 'contract_start',
    });
    expect(toErrorBody(unset)).toMatchObject({
      statusCode: 400,
      message: 'contractStart: must not be null',
      field: 'contractStart',
    });
    const taken = pgError('23505', 'duplicate key value violates unique constraint', {
      table: 'departments',
      detail: 'Key (code)=(finance) already exists.',
    });
    expect(toErrorBody(taken)).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'code: finance already exists',
      field: 'code',
    });
  });

  it('tells the client when to retry a 503, and only a 503', () => {
    const answer = (exception: unknown) => {
      const headers: Record<string, string> = {};
      let status = 0;
      const response = {
        headersSent: false,
        setHeader: (name: string, value: string) => (headers[name] = value),
        status: (s: number) => ((status = s), response),
        type: () => response,
        json: () => response,
      };
      const host = {
        switchToHttp: () => ({ getRequest: () => ({ id: 'r1', url: '/x' }), getResponse: () => response }),
      } as unknown as ArgumentsHost;
      new AllExceptionsFilter().catch(exception, host);
      return { status, retryAfter: headers['Retry-After'] };
    };
    expect(answer(pgError('40P01'))).toEqual({ status: 503, retryAfter: String(RETRY_AFTER_SECONDS) });
    expect(answer(pgError('23505'))).toEqual({ status: 409, retryAfter: undefined });
  });
});
