import { DriverError } from '../errors.js';
import { statusOf, toDriverError } from './kube-client.js';

interface Page<T> {
  items: T[];
  metadata?: { _continue?: string; continue?: string };
}

/**
 * Every item of a list, page by page with continue tokens. A token that expired (410 Gone, when the
 * list took longer than etcd keeps its revision) restarts the list once from the beginning.
 */
export async function listAll<T>(
  what: string,
  pageSize: number,
  fetchPage: (page: { limit: number; _continue?: string }) => Promise<Page<T>>,
): Promise<T[]> {
  for (let restart = 0; ; restart++) {
    const items: T[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await fetchPage({ limit: pageSize, _continue: token });
        items.push(...page.items);
        // Typed clients name it _continue; custom-object lists are raw JSON with `continue`.
        token = page.metadata?._continue ?? page.metadata?.continue;
      } while (token);
      return items;
    } catch (error) {
      if (statusOf(error)?.code === 410 && restart === 0) continue;
      throw error instanceof DriverError ? error : toDriverError(error, `list ${what}`);
    }
  }
}
