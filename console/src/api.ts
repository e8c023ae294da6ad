import type { FormInstance } from 'antd';
import { storedLang, translate } from './i18n';
import type { Principal } from './shared';

export type { Principal, Role } from './shared';

export interface Session {
  accessToken: string;
  user: Principal;
}

export interface Page<T> {
  items: T[];
  total: number;
}

const SESSION_KEY = 'govcloud.session';

// Kept for the tab's life only: closing the browser ends the session.
export const session = {
  get(): Session | null {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  },
  set(value: Session): void {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
  },
  clear(): void {
    sessionStorage.removeItem(SESSION_KEY);
  },
};

let onUnauthorized: () => void = () => undefined;
/** What to do when the API answers 401 to a signed-in call (the app goes back to the login page). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/**
 * A failed call, from the API's error body `{statusCode, error, message, field?, ...}`. A 400 names its
 * fields: the validation pipe joins "path problem" messages with "; ", and domain errors add `field`.
 */
export class ApiError extends Error {
  readonly fields: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.fields = status === 400 ? fieldsOf(message, body.field) : {};
  }
}

const FIELD_MESSAGE = /^([A-Za-z_][\w-]*(?:\.[\w-]+)*)(?::\s*|\s+)(.+)$/;

function fieldsOf(message: string, field: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of message.split('; ')) {
    const name = typeof field === 'string' && part.startsWith(field) ? field : FIELD_MESSAGE.exec(part)?.[1];
    if (name) fields[name] ??= part;
  }
  return fields;
}

export interface CallOptions {
  method?: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

function url(path: string, query?: CallOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `/api/v1${path}${search ? `?${search}` : ''}`;
}

async function send(path: string, options: CallOptions): Promise<Response> {
  const token = session.get()?.accessToken;
  const form = options.body instanceof FormData ? options.body : undefined;
  const response = await fetch(url(path, options.query), {
    method: options.method ?? 'GET',
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(options.body !== undefined && !form ? { 'Content-Type': 'application/json' } : {}),
      ...options.headers,
    },
    body: form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status === 401 && token) {
    session.clear();
    onUnauthorized();
  }
  // An answer without the API's error body (a proxy's HTML page, an empty 502) still says that the call
  // failed: over HTTP/2 there is no status text to fall back on, and an empty message shows nothing.
  const message = body.message
    ? String(body.message)
    : `${translate(storedLang(), 'app.unexpectedError')} (HTTP ${response.status})`;
  throw new ApiError(response.status, String(body.error ?? response.statusText), message, body);
}

/** Calls the API (paths below /api/v1) with the session's token, answering the parsed JSON body. */
export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const response = await send(path, options);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** Downloads a file the API answers (spreadsheets, reports) under the name it gives. */
export async function download(path: string, options: CallOptions = {}): Promise<void> {
  const response = await send(path, options);
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const plain = /filename="?([^";]+)"?/.exec(disposition)?.[1];
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = name ? decodeURIComponent(name) : (plain ?? path.split('/').pop() ?? 'download');
  link.click();
  URL.revokeObjectURL(link.href);
}

/**
 * Shows an API error next to the form fields it names; answers the message no field took (or null),
 * for the screen to show above the form.
 */
export function showFieldErrors(form: FormInstance, error: unknown): string | null {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const registered = new Set(form.getFieldsError().map((f) => f.name.join('.')));
  const placed = Object.entries(error.fields).filter(([name]) => registered.has(name));
  form.setFields(placed.map(([name, message]) => ({ name: name.split('.'), errors: [message] })));
  const rest = error.message
    .split('; ')
    .filter((part) => !placed.some(([, message]) => message === part))
    .join('; ');
  return rest || null;
}
