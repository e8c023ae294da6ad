import type { EntityManager } from 'typeorm';

const KEY = 'departments-tree';

/**
 * The lock on the shape of the department tree. A move holds it exclusively: it rewrites the paths of a
 * whole subtree and changes whose allocation a department's limits count in, and two moves at once could
 * make a cycle. A writer that derives something from a department's place in the tree (a new
 * department's path, the parent a change of limits is charged to) holds it shared, taken before it reads
 * that place, so it sees the tree as it was before a move or after, never half-way. Take it first in the
 * transaction, before any row lock: a move waits for it holding nothing, so it cannot deadlock.
 */
export async function lockDepartmentTree(manager: EntityManager, mode: 'move' | 'read'): Promise<void> {
  await manager.query(
    mode === 'move'
      ? 'SELECT pg_advisory_xact_lock(hashtext($1))'
      : 'SELECT pg_advisory_xact_lock_shared(hashtext($1))',
    [KEY],
  );
}
