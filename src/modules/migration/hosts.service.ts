import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { conflict, forbidden, invalid } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { definedFields } from '../tenancy/departments.service.js';
import type { CreateHostDto, UpdateHostDto } from './dto/host.dto.js';
import type { ListInventoryQuery } from './dto/system.dto.js';
import { Host } from './entities/host.entity.js';
import { InformationSystem } from './entities/information-system.entity.js';
import { MigrationTransition } from './entities/migration-transition.entity.js';
import { checkServerRoom, loadScoped, scopeList } from './scoped.js';
import { TransitionsService } from './transitions.service.js';

export type HostView = Omit<Host, 'systems'> & { systemIds: string[] };

export const HOST_DEFAULTS = {
  cpuCores: 0,
  memoryGib: 0,
  diskGib: 0,
  os: null,
  serverRoomId: null,
  rack: null,
  rackUnit: null,
  powerWatts: null,
  purchaseYear: null,
} as const;

@Injectable()
export class HostsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
    private readonly transitions: TransitionsService,
  ) {}

  async list(principal: Principal, query: ListInventoryQuery): Promise<{ items: HostView[]; total: number }> {
    const qb = this.dataSource
      .getRepository(Host)
      .createQueryBuilder('h')
      .leftJoin('h.systems', 'sys')
      .addSelect('sys.id');
    await scopeList(qb, this.scope, principal, 'h.department_id', query.departmentId);
    if (query.status) qb.andWhere('h.status = :status', { status: query.status });
    const [items, total] = await qb
      .orderBy('h.hostname', 'ASC')
      .addOrderBy('h.id', 'ASC')
      .take(query.limit ?? 100)
      .skip(query.offset ?? 0)
      .getManyAndCount();
    return { items: items.map(viewOf), total };
  }

  async get(principal: Principal, id: string): Promise<HostView> {
    const host = await loadScoped(this.dataSource.manager, this.scope, principal, Host, 'host', id);
    return { ...host, systemIds: await systemIdsOf(this.dataSource.manager, id) };
  }

  async create(principal: Principal, dto: CreateHostDto): Promise<HostView> {
    return this.dataSource.transaction(async (manager) => {
      await this.scope.visible(principal, dto.departmentId, manager);
      await checkServerRoom(manager, this.scope, principal, dto.serverRoomId);
      const { systemIds, ...fields } = dto;
      const repo = manager.getRepository(Host);
      const host = repo.create({ ...HOST_DEFAULTS, ...definedFields(fields), status: 'inventoried' });
      await repo.insert(host);
      await linkSystems(manager, host, systemIds ?? []);
      await this.transitions.recordMany(manager, [
        { type: 'host', id: host.id, departmentId: host.departmentId, from: null, to: 'inventoried' },
      ]);
      const view = { ...host, systemIds: systemIds ?? [] };
      await this.audit.record(manager, {
        action: 'host.create',
        targetType: 'host',
        targetId: host.id,
        departmentId: host.departmentId,
        after: view,
      });
      return view;
    });
  }

  async update(principal: Principal, id: string, dto: UpdateHostDto): Promise<HostView> {
    return this.dataSource.transaction(async (manager) => {
      const host = await loadScoped(manager, this.scope, principal, Host, 'host', id, true);
      if (dto.serverRoomId !== host.serverRoomId) {
        await checkServerRoom(manager, this.scope, principal, dto.serverRoomId);
        // Equipment a closure recorded (its capacity added to a pool, or disposed of) is not placed again:
        // a second closure would add the same machine's capacity twice.
        const [left] = dto.serverRoomId
          ? await manager.query(
              `SELECT e.disposition, r.name FROM room_equipment e JOIN server_rooms r ON r.id = e.room_id
               WHERE e.host_id = $1 LIMIT 1`,
              [id],
            )
          : [];
        if (left)
          throw conflict(
            `serverRoomId: host ${host.hostname} left server room ${left.name} when it closed (${left.disposition})`,
          );
      }
      // It stops a department's rack-unit bill: the cloud's operators record it, not the department.
      if (dto.hostingEndedOn !== undefined && principal.role !== 'operator')
        throw forbidden('hostingEndedOn: only operators record when hosted equipment left the data centre');
      const before = { ...host, systemIds: await systemIdsOf(manager, id) };
      const { systemIds, ...fields } = dto;
      const after = { ...host, ...definedFields(fields) };
      await manager.getRepository(Host).save(after);
      if (systemIds) await linkSystems(manager, host, systemIds);
      const view = { ...after, systemIds: systemIds ?? before.systemIds };
      await this.audit.record(manager, {
        action: 'host.update',
        targetType: 'host',
        targetId: id,
        departmentId: host.departmentId,
        before,
        after: view,
      });
      return view;
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const host = await loadScoped(manager, this.scope, principal, Host, 'host', id, true);
      if (host.status !== 'inventoried')
        throw conflict(
          `host ${host.hostname} is ${host.status}; only inventoried hosts are deleted (retire it instead)`,
        );
      await manager.getRepository(MigrationTransition).delete({ subjectType: 'host', subjectId: id });
      await manager.getRepository(Host).delete({ id });
      await this.audit.record(manager, {
        action: 'host.delete',
        targetType: 'host',
        targetId: id,
        departmentId: host.departmentId,
        before: host,
      });
    });
  }
}

function viewOf(host: Host): HostView {
  const { systems, ...rest } = host;
  return { ...rest, systemIds: (systems ?? []).map((s) => s.id).sort() };
}

export async function systemIdsOf(manager: EntityManager, hostId: string): Promise<string[]> {
  const rows: Array<{ system_id: string }> = await manager.query(
    'SELECT system_id FROM system_hosts WHERE host_id = $1 ORDER BY system_id',
    [hostId],
  );
  return rows.map((r) => r.system_id);
}

/** Replaces the host's system links; a host serves systems of its own department only. */
export async function linkSystems(manager: EntityManager, host: Host, systemIds: string[]): Promise<void> {
  const unique = [...new Set(systemIds)];
  if (unique.length > 0) {
    const found = await manager
      .getRepository(InformationSystem)
      .find({ select: { id: true }, where: { id: In(unique), departmentId: host.departmentId } });
    const missing = unique.filter((id) => !found.some((s) => s.id === id));
    if (missing.length > 0)
      throw invalid('systemIds', `no system ${missing.join(', ')} in the host's department`);
  }
  await manager.query('DELETE FROM system_hosts WHERE host_id = $1', [host.id]);
  if (unique.length > 0)
    await manager.query('INSERT INTO system_hosts (host_id, system_id) SELECT $1, unnest($2::uuid[])', [
      host.id,
      unique,
    ]);
}
