import yaml from 'js-yaml';
import { qualified, type Cause, type Kind } from './kinds.js';

// Every failure the fake answers with, as a Status worded the way kube-apiserver v1.28 words it: the
// replay test compares these bodies with the ones a real server gave (test/fixtures/kube-apiserver-v1.28).

export type Obj = Record<string, any>;

/** Thrown from anywhere in a request's handling; the server answers with its code and body as they are. */
export class HttpError {
  constructor(
    readonly code: number,
    readonly body: Obj,
  ) {}
}

function status(code: number, reason: string, message: string, extra: Obj = {}): Obj {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...extra,
    code,
  };
}

export function details(kind: Kind, name?: string): Obj {
  return {
    ...(name !== undefined ? { name } : {}),
    ...(kind.group ? { group: kind.group } : {}),
    kind: kind.plural,
  };
}

export const badRequest = (message: string) => new HttpError(400, status(400, 'BadRequest', message));

export const unauthorized = () => new HttpError(401, status(401, 'Unauthorized', 'Unauthorized'));

export function forbidden(kind: Kind, verb: string, user: string, namespace?: string, name?: string) {
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const message = `${qualified(kind)}${name ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${kind.plural}" in API group "${kind.group}" ${scope}`;
  return new HttpError(403, status(403, 'Forbidden', message, { details: details(kind, name) }));
}

/** A path that names no resource type the server serves. */
export const noSuchResource = () =>
  new HttpError(
    404,
    status(404, 'NotFound', 'the server could not find the requested resource', { details: {} }),
  );

export const methodNotAllowed = () =>
  new HttpError(
    405,
    status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`),
  );

/** What failNext() makes the next requests answer. */
export const injectedFailure = (code: 500 | 429) =>
  code === 429
    ? new HttpError(429, status(429, 'TooManyRequests', 'Too many requests, please try again later.'))
    : new HttpError(500, status(500, 'InternalError', 'Internal error occurred: injected failure'));

export const notFound = (kind: Kind, name: string) =>
  new HttpError(
    404,
    status(404, 'NotFound', `${qualified(kind)} "${name}" not found`, { details: details(kind, name) }),
  );

export const namespaceNotFound = (namespace: string | undefined) =>
  new HttpError(
    404,
    status(404, 'NotFound', `namespaces "${namespace}" not found`, {
      details: { name: namespace, kind: 'namespaces' },
    }),
  );

export function namespaceTerminating(kind: Kind, name: string, namespace: string | undefined) {
  return new HttpError(
    403,
    status(
      403,
      'Forbidden',
      `${qualified(kind)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        details: {
          ...details(kind, name),
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${namespace} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      },
    ),
  );
}

export const alreadyExists = (kind: Kind, name: string) =>
  new HttpError(
    409,
    status(409, 'AlreadyExists', `${qualified(kind)} "${name}" already exists`, {
      details: details(kind, name),
    }),
  );

export const conflict = (kind: Kind, name: string) =>
  new HttpError(
    409,
    status(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(kind)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { details: details(kind, name) },
    ),
  );

export function invalidError(kind: Kind, name: string, causes: Cause[]) {
  const listed = causes.map((c) => `${c.field}: ${c.message}`);
  const what = `${kind.kind}${kind.group ? `.${kind.group}` : ''} "${name}"`;
  const message = `${what} is invalid: ${listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`}`;
  return new HttpError(
    422,
    status(422, 'Invalid', message, {
      details: { name, ...(kind.group ? { group: kind.group } : {}), kind: kind.kind, causes },
    }),
  );
}

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** A continue token from before a compaction; `restart` is the token to go on with, inconsistently. */
export const expired = (restart: string) =>
  new HttpError(410, {
    ...status(410, 'Expired', EXPIRED_MESSAGE),
    metadata: { continue: restart },
  });

/** The patch types kube-apiserver v1.28 takes: strategic merge only for built-in types, which have its schema. */
export const patchTypes = (kind: Kind) => [
  'application/json-patch+json',
  'application/merge-patch+json',
  ...(kind.builtin ? ['application/strategic-merge-patch+json'] : []),
  'application/apply-patch+yaml',
];

export const unsupportedMediaType = (kind: Kind) =>
  new HttpError(
    415,
    status(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${patchTypes(kind).join(', ')}`,
    ),
  );

/** A JSON patch that does not apply (a failed test, a missing path): kube-apiserver tells no more than this. */
export const jsonPatchRefused = () =>
  new HttpError(
    422,
    status(422, 'Invalid', 'the server rejected our request due to an error in our request', { details: {} }),
  );

export function parseBody(raw: string, contentType: string | undefined): Obj {
  try {
    return contentType === 'application/apply-patch+yaml' ? (yaml.load(raw) as Obj) : JSON.parse(raw);
  } catch {
    throw badRequest('the object provided is unrecognized or malformed');
  }
}
