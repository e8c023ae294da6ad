import type { EntityManager, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { conflict, invalid, notFound } from '../../common/errors.js';
import type { Principal } from '../auth/principal.js';
import type { DepartmentScope } from '../tenancy/department-scope.js';

/**
 * Loads a department-owned row the caller may see, optionally locked for update. Another
 * department's row answers 404 exactly like a missing one.
 */
export async function loadScoped<T extends ObjectLiteral & { departmentId: string }>(
  manager: EntityManager,
  scope: DepartmentScope,
  principal: Principal,
  entity: EntityTarget<T>,
  what: string,
  id: string,
  lock = false,
): Promise<T> {
  const qb = manager.getRepository(entity).createQueryBuilder('s').where('s.id = :id', { id });
  if (lock) qb.setLock('pessimistic_write');
  const row = await qb.getOne();
  if (!row) throw notFound(what, id);
  const prefix = await scope.pathPrefix(principal, manager);
  if (prefix !== null) {
    const [dept] = await manager.query('SELECT path FROM departments WHERE id = $1', [row.departmentId]);
    if (!dept || !String(dept.path).startsWith(prefix)) throw notFound(what, id);
  }
  return row;
}

/** Narrows a list query to the caller's departments and, when asked, to one department's subtree. */
export async function scopeList<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  scope: DepartmentScope,
  principal: Principal,
  departmentColumn: string,
  departmentId?: string,
): Promise<SelectQueryBuilder<T>> {
  const filter = await scope.filter(principal, departmentColumn);
  if (filter) qb.andWhere(filter.sql, filter.params);
  if (departmentId) {
    const root = await scope.visible(principal, departmentId);
    qb.andWhere(`${departmentColumn} IN (SELECT id FROM departments WHERE path LIKE :subtree)`, {
      subtree: `${root.path}%`,
    });
  }
  return qb;
}

/**
 * A server room a system or host may be placed in: one the caller may see, not yet closed. A dept-admin
 * naming another department's room would otherwise block that room's closure (and learn that the id
 * exists), so such a room answers exactly like a missing one. A closed room holds nothing: it would
 * report closed, its budget stopped, with equipment in it. Read FOR SHARE, so a closure waits for the
 * placement (or the placement for the closure). null (clearing) and undefined (unchanged) pass.
 */
export async function checkServerRoom(
  manager: EntityManager,
  scope: DepartmentScope,
  principal: Principal,
  serverRoomId: string | null | undefined,
): Promise<void> {
  if (!serverRoomId) return;
  const [room] = await manager.query(
    `SELECT d.path, r.status, r.name FROM server_rooms r JOIN departments d ON d.id = r.department_id
     WHERE r.id = $1 FOR SHARE OF r`,
    [serverRoomId],
  );
  const prefix = await scope.pathPrefix(principal, manager);
  if (!room || (prefix !== null && !String(room.path).startsWith(prefix)))
    throw invalid('serverRoomId', `no server room ${serverRoomId}`);
  if (room.status === 'closed')
    throw conflict(`serverRoomId: server room ${room.name} is closed`, { serverRoomId });
}
