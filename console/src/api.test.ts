import { describe, expect, it } from '@jest/globals';
import { api, ApiError } from './api';
import { mockApi } from './test/api-mock';

describe('ApiError', () => {
  it('names the fields of a validation error, nested paths included', () => {
    const error = new ApiError(
      400,
      'InvalidInput',
      'name must be shorter than or equal to 63 characters; spec.vcpu must not be greater than 256; spec.image: must be a string',
    );
    expect(error.fields).toEqual({
      name: 'name must be shorter than or equal to 63 characters',
      'spec.vcpu': 'spec.vcpu must not be greater than 256',
      'spec.image': 'spec.image: must be a string',
    });
  });

  it('takes the field a domain error names, however it is spelled', () => {
    const error = new ApiError(400, 'InvalidInput', 'labels.govcloud.io/x: reserved', {
      field: 'labels.govcloud.io/x',
    });
    expect(error.fields).toEqual({ 'labels.govcloud.io/x': 'labels.govcloud.io/x: reserved' });
  });

  it('names no field for errors other than 400', () => {
    expect(new ApiError(409, 'QuotaExceeded', 'vcpu: needs 4, 2 left').fields).toEqual({});
  });
});

describe('api', () => {
  it('sends the token and JSON, and throws the error body as an ApiError', async () => {
    sessionStorage.setItem(
      'govcloud.session',
      JSON.stringify({ accessToken: 'tok', user: { userId: 'u', username: 'a', role: 'operator' } }),
    );
    mockApi(({ path }) =>
      path === '/things?limit=5'
        ? { body: { items: [], total: 0 } }
        : { status: 409, body: { statusCode: 409, error: 'Conflict', message: 'taken' } },
    );
    await expect(api('/things', { query: { limit: 5, name: undefined } })).resolves.toEqual({
      items: [],
      total: 0,
    });
    const headers = (globalThis.fetch as unknown as { mock: { calls: [string, RequestInit][] } }).mock
      .calls[0][1].headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer tok');
    await expect(api('/other', { method: 'POST', body: {} })).rejects.toMatchObject({
      status: 409,
      code: 'Conflict',
      message: 'taken',
    });
  });
});
