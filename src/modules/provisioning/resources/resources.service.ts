import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { conflict, invalid, notFound } from '../../../common/errors.js';
import type { Principal } from '../../auth/principal.js';
import { DepartmentScope } from '../../tenancy/department-scope.js';
import { Department } from '../../tenancy/entities/department.entity.js';
import type { CreateResourceDto, ListResourcesQuery } from '../dto/resource.dto.js';
import { ResourceEvent } from '../entities/resource-event.entity.js';
import { Resource } from '../entities/resource.entity.js';
import { Admission } from './admission.js';
import { checkIdempotencyKey, checkLabels, checkSpec, requestHash } from './resource-spec.js';

export type ResourceWithEvents = Resource & { events: ResourceEvent[] };

/** Requests, lists and reads resources; the changes after creation are in ResourceActionsService. */
@Injectable()
export class ResourcesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly admission: Admission,
  ) {}

  /**
   * Admitted in one transaction (see Admission): the resource row, its events and audit entries, the
   * outbox row of the job that will provision it, its quota reservation and its pool capacity. With an
   * Idempotency-Key, the same caller sending the same key and body gets the same resource; another body
   * is a 409.
   */
  async create(principal: Principal, dto: CreateResourceDto, key?: string): Promise<Resource> {
    const idempotencyKey = checkIdempotencyKey(key);
    const hash = requestHash(dto);
    if (idempotencyKey) {
      const earlier = await this.byIdempotencyKey(principal, idempotencyKey, hash);
      if (earlier) return earlier;
    }
    const departmentId = dto.departmentId ?? principal.departmentId;
    if (!departmentId) throw invalid('departmentId', 'is required');
    checkSpec(dto.kind, dto.spec);
    const labels = checkLabels(dto.labels);
    try {
      return this.present(
        await this.admission.admit({
          principal,
          dto,
          departmentId,
          labels,
          idempotencyKey,
          requestHash: hash,
        }),
      );
    } catch (error) {
      // Two requests with the same key raced: the loser answers what the winner created.
      if (idempotencyKey && isUniqueViolation(error, 'uq_resources_idempotency')) {
        const earlier = await this.byIdempotencyKey(principal, idempotencyKey, hash);
        if (earlier) return earlier;
      }
      throw error;
    }
  }

  async list(principal: Principal, query: ListResourcesQuery): Promise<{ items: Resource[]; total: number }> {
    const qb = this.dataSource
      .getRepository(Resource)
      .createQueryBuilder('r')
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'ASC')
      .take(query.limit ?? 100)
      .skip(query.offset ?? 0);
    const scope = await this.scope.filter(principal, 'r.department_id');
    if (scope) qb.andWhere(scope.sql, scope.params);
    if (query.departmentId) {
      const root = await this.scope.visible(principal, query.departmentId);
      qb.andWhere('r.department_id IN (SELECT id FROM departments WHERE path LIKE :rootPath)', {
        rootPath: `${root.path}%`,
      });
    }
    if (query.state) qb.andWhere('r.state = :state', { state: query.state });
    if (query.poolId) qb.andWhere('r.pool_id = :poolId', { poolId: query.poolId });
    if (query.kind) qb.andWhere('r.kind = :kind', { kind: query.kind });
    if (query.name) qb.andWhere('r.name = :name', { name: query.name });
    const [items, total] = await qb.getManyAndCount();
    return { items, total };
  }

  async get(principal: Principal, id: string): Promise<ResourceWithEvents> {
    const resource = await this.visible(principal, id);
    const events = await this.dataSource
      .getRepository(ResourceEvent)
      .find({ where: { resourceId: id }, order: { id: 'ASC' } });
    return { ...resource, events };
  }

  /** The resource if the caller may see it (404 otherwise), optionally locked for update. */
  async visible(principal: Principal, id: string, manager?: EntityManager): Promise<Resource> {
    const qb = (manager ?? this.dataSource.manager).getRepository(Resource).createQueryBuilder('r');
    if (manager) qb.setLock('pessimistic_write');
    const resource = await qb.where('r.id = :id', { id }).getOne();
    if (!resource) throw notFound('resource', id);
    const prefix = await this.scope.pathPrefix(principal, manager);
    if (prefix !== null) {
      const department = await (manager ?? this.dataSource.manager)
        .getRepository(Department)
        .findOneBy({ id: resource.departmentId });
      if (!department?.path.startsWith(prefix)) throw notFound('resource', id);
    }
    return resource;
  }

  private async byIdempotencyKey(principal: Principal, key: string, hash: string): Promise<Resource | null> {
    const earlier = await this.dataSource
      .getRepository(Resource)
      .createQueryBuilder('r')
      .addSelect('r.requestHash')
      .where('r.requested_by = :user AND r.idempotency_key = :key', { user: principal.userId, key })
      .getOne();
    if (!earlier) return null;
    if (earlier.requestHash !== hash)
      throw conflict('Idempotency-Key: already used with a different request body', {
        resourceId: earlier.id,
      });
    return this.present(earlier);
  }

  /** The answer for a resource: never its idempotency bookkeeping. */
  private present(resource: Resource): Resource {
    const { idempotencyKey: _key, requestHash: _hash, ...rest } = resource;
    return rest as Resource;
  }
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const pg = error.driverError as { code?: string; constraint?: string };
  return pg.code === '23505' && pg.constraint === constraint;
}
