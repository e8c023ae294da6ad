import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { conflict, invalid, notFound } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from './department-scope.js';
import { lockDepartmentTree } from './department-tree-lock.js';
import type {
  CreateDepartmentDto,
  ListDepartmentsQuery,
  MoveDepartmentDto,
  UpdateDepartmentDto,
} from './dto/department.dto.js';
import { ALLOWED_PARENT_KINDS, Department, type DepartmentKind } from './entities/department.entity.js';

@Injectable()
export class DepartmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
  ) {}

  async list(principal: Principal, query: ListDepartmentsQuery): Promise<Department[]> {
    const prefix = query.rootId
      ? (await this.scope.visible(principal, query.rootId)).path
      : await this.scope.pathPrefix(principal);
    const qb = this.dataSource.getRepository(Department).createQueryBuilder('d').orderBy('d.path', 'ASC');
    if (prefix !== null) qb.andWhere('d.path LIKE :prefix', { prefix: `${prefix}%` });
    if (query.kind) qb.andWhere('d.kind = :kind', { kind: query.kind });
    return qb.getMany();
  }

  get(principal: Principal, id: string): Promise<Department> {
    return this.scope.visible(principal, id);
  }

  async create(dto: CreateDepartmentDto): Promise<Department> {
    return this.dataSource.transaction(async (manager) => {
      await lockDepartmentTree(manager, 'read');
      const parent = dto.parentId
        ? await manager.getRepository(Department).findOneBy({ id: dto.parentId })
        : null;
      if (dto.parentId && !parent) throw invalid('parentId', `department ${dto.parentId} does not exist`);
      assertParentKind(dto.kind, parent);
      const repo = manager.getRepository(Department);
      const department = repo.create({
        code: dto.code,
        name: dto.name,
        nameEn: dto.nameEn ?? null,
        kind: dto.kind,
        parentId: parent?.id ?? null,
        critical: dto.critical ?? false,
        path: '',
      });
      await repo.insert(department);
      department.path = `${parent?.path ?? '/'}${department.id}/`;
      await repo.update({ id: department.id }, { path: department.path });
      await this.audit.record(manager, {
        action: 'department.create',
        targetType: 'department',
        targetId: department.id,
        departmentId: department.id,
        after: department,
      });
      return department;
    });
  }

  async update(id: string, dto: UpdateDepartmentDto): Promise<Department> {
    return this.dataSource.transaction(async (manager) => {
      const before = await this.lock(manager, id);
      const after = { ...before, ...definedFields(dto) };
      await manager.getRepository(Department).save(after);
      await this.audit.record(manager, {
        action: 'department.update',
        targetType: 'department',
        targetId: id,
        departmentId: id,
        before,
        after,
      });
      return after;
    });
  }

  async move(id: string, dto: MoveDepartmentDto): Promise<Department> {
    return this.dataSource.transaction(async (manager) => {
      await lockDepartmentTree(manager, 'move');
      const node = await this.lock(manager, id);
      const parent = await manager.getRepository(Department).findOneBy({ id: dto.parentId });
      if (!parent) throw invalid('parentId', `department ${dto.parentId} does not exist`);
      if (parent.path.startsWith(node.path))
        throw conflict(`parentId: cannot move ${node.code} under itself or its own subtree`);
      assertParentKind(node.kind, parent);
      const newPath = `${parent.path}${node.id}/`;
      await manager.query(
        `UPDATE departments SET path = $1::text || substring(path from $3::int), updated_at = now() WHERE path LIKE $2`,
        [newPath, `${node.path}%`, node.path.length + 1],
      );
      await manager.getRepository(Department).update({ id }, { parentId: parent.id });
      const after = { ...node, parentId: parent.id, path: newPath };
      await this.audit.record(manager, {
        action: 'department.move',
        targetType: 'department',
        targetId: id,
        departmentId: id,
        before: node,
        after,
      });
      return after;
    });
  }

  /** Only an empty department goes: no children here, and foreign keys refuse while anything else refers to it. */
  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const node = await this.lock(manager, id);
      const children = await manager.getRepository(Department).countBy({ parentId: id });
      if (children > 0) throw conflict(`department ${node.code} still has ${children} child department(s)`);
      await manager.getRepository(Department).delete({ id });
      await this.audit.record(manager, {
        action: 'department.delete',
        targetType: 'department',
        targetId: id,
        departmentId: id,
        before: node,
      });
    });
  }

  private async lock(manager: EntityManager, id: string): Promise<Department> {
    const department = await manager
      .getRepository(Department)
      .createQueryBuilder('d')
      .setLock('pessimistic_write')
      .where('d.id = :id', { id })
      .getOne();
    if (!department) throw notFound('department', id);
    return department;
  }
}

function assertParentKind(kind: DepartmentKind, parent: Department | null): void {
  const allowed = ALLOWED_PARENT_KINDS[kind];
  if (!parent) {
    if (allowed.length > 0) throw invalid('parentId', `a ${kind} needs a parent (${allowed.join(' or ')})`);
    return;
  }
  if (!allowed.includes(parent.kind)) {
    throw invalid(
      'parentId',
      `a ${kind} cannot sit under a ${parent.kind}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
    );
  }
}

export function definedFields<T extends object>(dto: T): Partial<T> {
  return Object.fromEntries(Object.entries(dto).filter(([, value]) => value !== undefined)) as Partial<T>;
}
