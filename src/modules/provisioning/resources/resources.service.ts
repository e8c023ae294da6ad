import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { conflict, invalid, notFound } from '../../../common/errors.js';
import type { Principal } from '../../auth/principal.js';
import { DepartmentScope } from '../../tenancy/department-scope.js';
import { Department } from '../../tenancy/entities/department.entity.js';
import {
  MAX_BULK_COUNT,
  type CreateResourceDto,
  type CreateResourcesDto,
  type ListResourcesQuery,
} from '../dto/resource.dto.js';
import { ResourceEvent } from '../entities/resource-event.entity.js';
import { Resource } from '../entities/resource.entity.js';
import { Admission } from './admission.js';
import { checkIdempotencyKey, checkLabels, checkSpec, requestHash } from './resource-spec.js';

/** A resource's name: its objects' names derive from its id, so only the column limits it. */
const NAME_MAX = 63;
/**
 * Between a bulk request's Idempotency-Key and each item's number, in the key stored on the item: a space,
 * which a client's key cannot hold, so no client key is ever taken for an item's.
 */
const KEY_ITEM = ' ';
/** The stored key's column, and the longest item suffix (" 100"). */
const KEY_MAX = 200;
const ITEM_SUFFIX_MAX = 4;

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
    const [resource] = await this.admit(principal, dto, [dto.name], key, (k) => [k]);
    return resource;
  }

  /**
   * `count` resources of one spec, named <name>-01, <name>-02 …, admitted as `create` admits one, all on
   * one pool or none (a 409 when quota or any pool cannot take them all).
   */
  async createMany(
    principal: Principal,
    dto: CreateResourcesDto,
    key?: string,
  ): Promise<{ items: Resource[] }> {
    const width = Math.max(2, String(dto.count).length);
    const names = Array.from(
      { length: dto.count },
      (_, i) => `${dto.name}-${String(i + 1).padStart(width, '0')}`,
    );
    if (names[names.length - 1].length > NAME_MAX)
      throw invalid('name', `must be at most ${NAME_MAX - width - 1} characters for ${dto.count} resources`);
    if (key !== undefined && key.length > KEY_MAX - ITEM_SUFFIX_MAX)
      throw invalid(
        'Idempotency-Key',
        `must be at most ${KEY_MAX - ITEM_SUFFIX_MAX} characters for a bulk request`,
      );
    const { count: _count, ...one } = dto;
    const items = await this.admit(
      principal,
      one,
      names,
      key,
      (k) => names.map((_, i) => `${k}${KEY_ITEM}${i + 1}`),
      dto,
    );
    return { items };
  }

  private async admit(
    principal: Principal,
    dto: CreateResourceDto,
    names: string[],
    key: string | undefined,
    itemKeys: (key: string) => string[],
    body: object = dto,
  ): Promise<Resource[]> {
    const idempotencyKey = checkIdempotencyKey(key);
    const hash = requestHash(body);
    if (idempotencyKey) {
      const earlier = await this.byIdempotencyKey(principal, idempotencyKey, hash);
      if (earlier) return earlier;
    }
    const departmentId = dto.departmentId ?? principal.departmentId;
    if (!departmentId) throw invalid('departmentId', 'is required');
    checkSpec(dto.kind, dto.spec);
    const labels = checkLabels(dto.labels);
    try {
      const admitted = await this.admission.admit({
        principal,
        dto,
        departmentId,
        labels,
        names,
        idempotencyKeys: idempotencyKey ? itemKeys(idempotencyKey) : undefined,
        requestHash: hash,
      });
      return admitted.map((resource) => this.present(resource));
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

  /**
   * What the caller created with this key before (one resource, or the items of a bulk request, whose
   * keys are the key, KEY_ITEM and the item's number), or null; a 409 when that was another request.
   * Every key the request could have stored is looked up in the (requested_by, idempotency_key) index.
   */
  private async byIdempotencyKey(
    principal: Principal,
    key: string,
    hash: string,
  ): Promise<Resource[] | null> {
    const keys = [key, ...Array.from({ length: MAX_BULK_COUNT }, (_, i) => `${key}${KEY_ITEM}${i + 1}`)];
    const earlier = await this.dataSource
      .getRepository(Resource)
      .createQueryBuilder('r')
      .addSelect('r.requestHash')
      .where('r.requested_by = :user AND r.idempotency_key IN (:...keys)', { user: principal.userId, keys })
      .orderBy('r.name')
      .getMany();
    if (earlier.length === 0) return null;
    if (earlier.some((resource) => resource.requestHash !== hash))
      throw conflict('Idempotency-Key: already used with a different request body', {
        resourceId: earlier[0].id,
      });
    return earlier.map((resource) => this.present(resource));
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
