import { jest } from '@jest/globals';

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

type Answer = { status?: number; body?: unknown } | undefined;

/** An answer, or a promise of one: an answer held back until the test releases it. */
type Handler = (call: Call) => Answer | Promise<Answer>;

/**
 * Replaces fetch with a fake API: each call goes to `handler` (path with query string, below /api/v1),
 * whose answer becomes the response; calls are recorded for assertions.
 */
export function mockApi(handler: Handler): Call[] {
  const calls: Call[] = [];
  const fetch = jest.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const call = {
      method: init?.method ?? 'GET',
      path: String(input).replace(/^\/api\/v1/, ''),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : init?.body,
    };
    calls.push(call);
    const answer = (await handler(call)) ?? {
      status: 404,
      body: { statusCode: 404, error: 'NotFound', message: 'no route' },
    };
    const status = answer.status ?? 200;
    return {
      ok: status >= 200 && status < 300,
      status,
      statusText: String(status),
      headers: { get: () => null },
      json: async () => answer.body,
    } as unknown as Response;
  });
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return calls;
}
