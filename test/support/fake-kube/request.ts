import { request } from 'node:https';
import type { Obj } from './errors.js';
import type { FakeKubeApiServer } from './server.js';

export interface KubeRequest {
  method: string;
  path: string;
  /** Sent as JSON unless already a string (YAML for server-side apply). */
  body?: unknown;
  contentType?: string;
  /** The bearer token; none sends no Authorization header. */
  token?: string;
}

/** One request to the fake over HTTPS, as a plain client sends it: the status and the parsed answer. */
export function kubeRequest(
  fake: FakeKubeApiServer,
  { method, path, body, contentType = 'application/json', token }: KubeRequest,
): Promise<{ status: number; body: Obj }> {
  const payload =
    body === null || body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, fake.url),
      {
        method,
        ca: fake.ca,
        headers: {
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': contentType } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let data = '';
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
