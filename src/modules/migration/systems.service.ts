import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { conflict, invalid } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { definedFields } from '../tenancy/departments.service.js';
import { difficultyScore, suggestedStrategy, type DifficultyInput } from './difficulty.js';
import type {
  CreateSystemDto,
  ListInventoryQuery,
  OverrideStrategyDto,
  UpdateSystemDto,
} from './dto/system.dto.js';
import { InformationSystem } from './entities/information-system.entity.js';
import { MigrationTransition } from './entities/migration-transition.entity.js';
import { checkServerRoom, loadScoped, scopeList } from './scoped.js';
import { classificationRefusal } from './status-machine.js';
import { TransitionsService } from './transitions.service.js';

export type SystemView = InformationSystem & { strategy: string; hostIds?: string[]; resourceIds?: string[] };

/** The attribute defaults a system starts from; the import fills missing cells from here too. */
export const SYSTEM_DEFAULTS = {
  purpose: null,
  ownerContact: null,
  databases: [],
  middleware: [],
  specialDevices: [],
  dataVolumeGb: 0,
  userCount: 0,
  availability: 'standard',
  critical: false,
  serverRoomId: null,
} as const;

/** Score and suggestion follow the attributes; call on every write. */
export function assess<T extends DifficultyInput>(
  system: T,
): T & { difficultyScore: number; suggestedStrategy: ReturnType<typeof suggestedStrategy> } {
  const score = difficultyScore(system);
  return Object.assign(system, {
    difficultyScore: score,
    suggestedStrategy: suggestedStrategy(system, score),
  });
}

export const viewOf = (
  s: InformationSystem,
  links?: { hostIds: string[]; resourceIds: string[] },
): SystemView => Object.assign(s, { strategy: s.strategyOverride ?? s.suggestedStrategy }, links ?? {});

@Injectable()
export class SystemsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
    private readonly transitions: TransitionsService,
  ) {}

  async list(
    principal: Principal,
    query: ListInventoryQuery,
  ): Promise<{ items: SystemView[]; total: number }> {
    const qb = this.dataSource.getRepository(InformationSystem).createQueryBuilder('s');
    await scopeList(qb, this.scope, principal, 's.department_id', query.departmentId);
    if (query.status) qb.andWhere('s.status = :status', { status: query.status });
    const [items, total] = await qb
      .orderBy('s.name', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .take(query.limit ?? 100)
      .skip(query.offset ?? 0)
      .getManyAndCount();
    return { items: items.map((s) => viewOf(s)), total };
  }

  async get(principal: Principal, id: string): Promise<SystemView> {
    const manager = this.dataSource.manager;
    const system = await loadScoped(manager, this.scope, principal, InformationSystem, 'system', id);
    return viewOf(system, await this.links(manager, id));
  }

  async create(principal: Principal, dto: CreateSystemDto): Promise<SystemView> {
    return this.dataSource.transaction(async (manager) => {
      await this.scope.visible(principal, dto.departmentId, manager);
      await checkServerRoom(manager, this.scope, principal, dto.serverRoomId);
      const repo = manager.getRepository(InformationSystem);
      const system = repo.create(assess({ ...SYSTEM_DEFAULTS, ...definedFields(dto) } as InformationSystem));
      system.status = 'inventoried';
      await repo.insert(system);
      await this.transitions.recordMany(manager, [
        { type: 'system', id: system.id, departmentId: system.departmentId, from: null, to: 'inventoried' },
      ]);
      await this.audit.record(manager, {
        action: 'system.create',
        targetType: 'system',
        targetId: system.id,
        departmentId: system.departmentId,
        after: system,
      });
      return viewOf(system, { hostIds: [], resourceIds: [] });
    });
  }

  async update(principal: Principal, id: string, dto: UpdateSystemDto): Promise<SystemView> {
    return this.dataSource.transaction(async (manager) => {
      const before = await loadScoped(manager, this.scope, principal, InformationSystem, 'system', id, true);
      if (dto.serverRoomId !== before.serverRoomId)
        await checkServerRoom(manager, this.scope, principal, dto.serverRoomId);
      const after = assess({ ...before, ...definedFields(dto) });
      const refusal = classificationRefusal(after.status, after.classification);
      if (refusal) throw conflict(refusal);
      await manager.getRepository(InformationSystem).save(after);
      await this.audit.record(manager, {
        action: 'system.update',
        targetType: 'system',
        targetId: id,
        departmentId: before.departmentId,
        before,
        after,
      });
      return viewOf(after, await this.links(manager, id));
    });
  }

  /** Operators choose another strategy than the suggestion, and say why (audited). */
  async overrideStrategy(principal: Principal, id: string, dto: OverrideStrategyDto): Promise<SystemView> {
    return this.dataSource.transaction(async (manager) => {
      const before = await loadScoped(manager, this.scope, principal, InformationSystem, 'system', id, true);
      const change = { strategyOverride: dto.strategy ?? null, overrideReason: dto.reason };
      await manager.getRepository(InformationSystem).update({ id }, change);
      await this.audit.record(manager, {
        action: 'system.strategy-override',
        targetType: 'system',
        targetId: id,
        departmentId: before.departmentId,
        before: { strategyOverride: before.strategyOverride, overrideReason: before.overrideReason },
        after: change,
      });
      return viewOf(Object.assign(before, change));
    });
  }

  /** Only a system still at its first status goes (an inventory mistake); later ones keep their history. */
  async remove(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const system = await loadScoped(manager, this.scope, principal, InformationSystem, 'system', id, true);
      if (system.status !== 'inventoried')
        throw conflict(
          `system ${system.name} is ${system.status}; only inventoried systems are deleted (retire it instead)`,
        );
      await manager.getRepository(MigrationTransition).delete({ subjectType: 'system', subjectId: id });
      await manager.getRepository(InformationSystem).delete({ id });
      await this.audit.record(manager, {
        action: 'system.delete',
        targetType: 'system',
        targetId: id,
        departmentId: system.departmentId,
        before: system,
      });
    });
  }

  /**
   * The cloud resources (provisioning) that now run the system, replacing the list; only resources of
   * the system's own department, since ownership stays with the department (三个不变).
   */
  async linkResources(principal: Principal, id: string, resourceIds: string[]): Promise<SystemView> {
    return this.dataSource.transaction(async (manager) => {
      const system = await loadScoped(manager, this.scope, principal, InformationSystem, 'system', id, true);
      const before = await this.links(manager, id);
      const wanted = [...new Set(resourceIds)].sort();
      if (wanted.length > 0) {
        const found: Array<{ id: string }> = await manager.query(
          'SELECT id FROM resources WHERE id = ANY($1::uuid[]) AND department_id = $2',
          [wanted, system.departmentId],
        );
        const missing = wanted.filter((r) => !found.some((f) => f.id === r));
        if (missing.length > 0)
          throw invalid('resourceIds', `no resource ${missing.join(', ')} in the system's department`);
      }
      await manager.query('DELETE FROM system_resources WHERE system_id = $1', [id]);
      if (wanted.length > 0)
        await manager.query(
          'INSERT INTO system_resources (system_id, resource_id) SELECT $1, unnest($2::uuid[])',
          [id, wanted],
        );
      await this.audit.record(manager, {
        action: 'system.link-resources',
        targetType: 'system',
        targetId: id,
        departmentId: system.departmentId,
        before: { resourceIds: before.resourceIds },
        after: { resourceIds: wanted },
      });
      return viewOf(system, { hostIds: before.hostIds, resourceIds: wanted });
    });
  }

  private async links(
    manager: EntityManager,
    systemId: string,
  ): Promise<{ hostIds: string[]; resourceIds: string[] }> {
    const [row]: Array<{ host_ids: string[]; resource_ids: string[] }> = await manager.query(
      `SELECT (SELECT coalesce(array_agg(host_id::text ORDER BY host_id::text), '{}') FROM system_hosts WHERE system_id = $1) AS host_ids,
              (SELECT coalesce(array_agg(resource_id::text ORDER BY resource_id::text), '{}') FROM system_resources WHERE system_id = $1) AS resource_ids`,
      [systemId],
    );
    return { hostIds: row.host_ids, resourceIds: row.resource_ids };
  }
}
