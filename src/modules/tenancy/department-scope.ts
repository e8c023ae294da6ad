import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { notFound } from '../../common/errors.js';
import type { Principal } from '../auth/principal.js';
import { Department } from './entities/department.entity.js';

/** A dept-admin whose department vanished sees nothing rather than everything. */
const NOWHERE = '/nothing/';

/**
 * The one place that decides which departments a caller may see. A dept-admin sees its department
 * and its subtree; anything else answers 404, so the existence of other departments' objects is not revealed.
 */
@Injectable()
export class DepartmentScope {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The path prefix a dept-admin is confined to, or null for roles that see the whole city. */
  async pathPrefix(
    principal: Principal,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string | null> {
    if (principal.role !== 'dept-admin') return null;
    const own = principal.departmentId
      ? await manager.getRepository(Department).findOneBy({ id: principal.departmentId })
      : null;
    return own?.path ?? NOWHERE;
  }

  /** The department, if the caller may see it; otherwise NotFound. */
  async visible(
    principal: Principal,
    departmentId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Department> {
    // One read for both the department and, for a dept-admin, its own (often the same row).
    const own = principal.role === 'dept-admin' ? principal.departmentId : null;
    const rows = await manager
      .getRepository(Department)
      .findBy({ id: In(own ? [departmentId, own] : [departmentId]) });
    return this.check(principal, departmentId, (id) => rows.find((d) => d.id === id));
  }

  /**
   * `visible` on departments already read (`read` must know the department and the caller's own), for
   * a caller that reads many at once.
   */
  check<D extends { path: string }>(
    principal: Principal,
    departmentId: string,
    read: (id: string) => D | undefined,
  ): D {
    const department = read(departmentId);
    const prefix =
      principal.role === 'dept-admin'
        ? ((principal.departmentId ? read(principal.departmentId)?.path : undefined) ?? NOWHERE)
        : null;
    if (!department || (prefix !== null && !department.path.startsWith(prefix)))
      throw notFound('department', departmentId);
    return department;
  }

  /** SQL for "column holds a department the caller may see", for list queries joined to departments. */
  async filter(
    principal: Principal,
    departmentIdColumn: string,
  ): Promise<{ sql: string; params: Record<string, string> } | null> {
    const prefix = await this.pathPrefix(principal);
    if (prefix === null) return null;
    return {
      sql: `${departmentIdColumn} IN (SELECT id FROM departments WHERE path LIKE :scopePrefix)`,
      params: { scopePrefix: `${prefix}%` },
    };
  }
}
