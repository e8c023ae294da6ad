import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from '../modules/auth/principal.js';

/** Per-request values read deep in services (audit needs the actor and the request id). */
export interface RequestContext {
  requestId: string;
  principal?: Principal;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
};
