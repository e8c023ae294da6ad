import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource, type EntityManager } from 'typeorm';
import { conflict, forbidden, invalid, notFound } from '../../common/errors.js';
import { AppConfig } from '../../config/config.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import type { ListInventoryQuery } from '../migration/dto/system.dto.js';
import { loadScoped, scopeList } from '../migration/scoped.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { definedFields } from '../tenancy/departments.service.js';
import { candidateFlags, type CandidateFlag } from './candidates.js';
import type {
  CreateLeaseDto,
  CreateRoomDto,
  RoomTransitionDto,
  UpdateLeaseDto,
  UpdateRoomDto,
} from './dto/room.dto.js';
import { NetworkLease } from './entities/network-lease.entity.js';
import { ServerRoom } from './entities/server-room.entity.js';
import { budgetStopsOn, checkRoomTransition, leaseAction } from './room-status.js';

export type RoomView = ServerRoom & {
  annualOmCost: string;
  candidate: boolean;
  candidateFlags: CandidateFlag[];
  budgetStopsOn: string | null;
};

export type LeaseView = NetworkLease & {
  /** At closure: leases under three years run to their end, longer ones are adjusted. */
  closureAction: 'run-to-end' | 'adjust';
  renewable: boolean;
};

export const COST_FIELDS = [
  'costElectricity',
  'costMaintenance',
  'costStaff',
  'costNetwork',
  'costOther',
] as const;

export function annualOmCost(room: Pick<ServerRoom, (typeof COST_FIELDS)[number]>): Decimal {
  return COST_FIELDS.reduce((sum, field) => sum.plus(new Decimal(room[field] ?? 0)), new Decimal(0));
}

/** Server rooms (机房) and their network line leases, scoped to the caller's departments. */
@Injectable()
export class RoomsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  view(room: ServerRoom): RoomView {
    const flags = candidateFlags(room, this.config);
    return Object.assign(room, {
      annualOmCost: annualOmCost(room).toFixed(2),
      candidate: flags.length > 0,
      candidateFlags: flags,
      budgetStopsOn: room.closedOn ? budgetStopsOn(room.closedOn) : null,
    });
  }

  async list(principal: Principal, query: ListInventoryQuery & { candidate?: boolean }) {
    const qb = this.dataSource.getRepository(ServerRoom).createQueryBuilder('r');
    await scopeList(qb, this.scope, principal, 'r.department_id', query.departmentId);
    const all = (await qb.orderBy('r.name', 'ASC').addOrderBy('r.id', 'ASC').getMany()).map((r) =>
      this.view(r),
    );
    const items = query.candidate === undefined ? all : all.filter((r) => r.candidate === query.candidate);
    const offset = query.offset ?? 0;
    return { items: items.slice(offset, offset + (query.limit ?? 100)), total: items.length };
  }

  async get(principal: Principal, id: string) {
    const manager = this.dataSource.manager;
    const room = await loadScoped(manager, this.scope, principal, ServerRoom, 'server room', id);
    const hosts: Array<{ id: string; hostname: string; status: string }> = await manager.query(
      'SELECT id, hostname, status FROM hosts WHERE server_room_id = $1 ORDER BY hostname',
      [id],
    );
    const equipment = await manager.query(
      `SELECT e.host_id AS "hostId", h.hostname, e.disposition, e.pool_id AS "poolId", e.capacity, e.note
       FROM room_equipment e JOIN hosts h ON h.id = e.host_id WHERE e.room_id = $1 ORDER BY h.hostname`,
      [id],
    );
    return { ...this.view(room), hosts, equipment };
  }

  async create(principal: Principal, dto: CreateRoomDto): Promise<RoomView> {
    if (dto.poorlyMaintained !== undefined && principal.role !== 'operator')
      throw forbidden('poorlyMaintained: only operators flag a room');
    return this.dataSource.transaction(async (manager) => {
      await this.scope.visible(principal, dto.departmentId, manager);
      const repo = manager.getRepository(ServerRoom);
      const room = repo.create({ ...definedFields(dto), status: 'active' });
      await repo.insert(room);
      const saved = await repo.findOneByOrFail({ id: room.id });
      await this.audit.record(manager, {
        action: 'server-room.create',
        targetType: 'server-room',
        targetId: room.id,
        departmentId: room.departmentId,
        after: saved,
      });
      return this.view(saved);
    });
  }

  async update(principal: Principal, id: string, dto: UpdateRoomDto): Promise<RoomView> {
    if (dto.poorlyMaintained !== undefined && principal.role !== 'operator')
      throw forbidden('poorlyMaintained: only operators flag a room');
    return this.dataSource.transaction(async (manager) => {
      const before = await loadScoped(manager, this.scope, principal, ServerRoom, 'server room', id, true);
      if (before.status === 'closed') throw closedRoom(before);
      const after = { ...before, ...definedFields(dto) };
      await manager.getRepository(ServerRoom).save(after);
      await this.audit.record(manager, {
        action: 'server-room.update',
        targetType: 'server-room',
        targetId: id,
        departmentId: before.departmentId,
        before,
        after,
      });
      return this.view(after);
    });
  }

  /** Only a room nothing points at goes: hosts and systems refer to it (the foreign keys refuse). */
  async remove(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const room = await loadScoped(manager, this.scope, principal, ServerRoom, 'server room', id, true);
      if (room.status === 'closed') throw conflict(`server room ${room.name} is closed; its record stays`);
      await manager.getRepository(ServerRoom).delete({ id });
      await this.audit.record(manager, {
        action: 'server-room.delete',
        targetType: 'server-room',
        targetId: id,
        departmentId: room.departmentId,
        before: room,
      });
    });
  }

  /** Planning moves (closure-planned, closing, retained, back to active) are operators' decisions. */
  async transition(principal: Principal, id: string, dto: RoomTransitionDto): Promise<RoomView> {
    return this.dataSource.transaction(async (manager) => {
      const room = await loadScoped(manager, this.scope, principal, ServerRoom, 'server room', id, true);
      checkRoomTransition(room.status, dto.to);
      await manager.getRepository(ServerRoom).update({ id }, { status: dto.to });
      await this.audit.record(manager, {
        action: 'server-room.transition',
        targetType: 'server-room',
        targetId: id,
        departmentId: room.departmentId,
        before: { status: room.status },
        after: { status: dto.to, note: dto.note ?? null },
      });
      return this.view(Object.assign(room, { status: dto.to }));
    });
  }

  async leases(principal: Principal, roomId: string): Promise<LeaseView[]> {
    const room = await loadScoped(
      this.dataSource.manager,
      this.scope,
      principal,
      ServerRoom,
      'server room',
      roomId,
    );
    const leases = await this.dataSource
      .getRepository(NetworkLease)
      .find({ where: { roomId }, order: { contractStart: 'ASC', id: 'ASC' } });
    return leases.map((l) => leaseView(l, room));
  }

  async addLease(principal: Principal, roomId: string, dto: CreateLeaseDto): Promise<LeaseView> {
    assertTerm(dto.contractStart, dto.contractEnd);
    return this.dataSource.transaction(async (manager) => {
      const room = await loadScoped(manager, this.scope, principal, ServerRoom, 'server room', roomId, true);
      if (room.status === 'closed')
        throw conflict(`server room ${room.name} is closed: no lease is taken or renewed`);
      const repo = manager.getRepository(NetworkLease);
      const lease = repo.create({ ...dto, roomId });
      await repo.insert(lease);
      await this.audit.record(manager, {
        action: 'lease.create',
        targetType: 'lease',
        targetId: lease.id,
        departmentId: room.departmentId,
        after: lease,
      });
      return leaseView(lease, room);
    });
  }

  async updateLease(
    principal: Principal,
    roomId: string,
    leaseId: string,
    dto: UpdateLeaseDto,
  ): Promise<LeaseView> {
    return this.dataSource.transaction(async (manager) => {
      const room = await loadScoped(manager, this.scope, principal, ServerRoom, 'server room', roomId, true);
      const before = await this.lease(manager, roomId, leaseId);
      const after = { ...before, ...definedFields(dto) };
      assertTerm(after.contractStart, after.contractEnd);
      // After closure nothing is renewed: a lease may end sooner, never later.
      if (room.status === 'closed' && after.contractEnd > before.contractEnd)
        throw conflict(
          `contractEnd: server room ${room.name} is closed; its leases are not renewed or extended`,
        );
      await manager.getRepository(NetworkLease).save(after);
      await this.audit.record(manager, {
        action: 'lease.update',
        targetType: 'lease',
        targetId: leaseId,
        departmentId: room.departmentId,
        before,
        after,
      });
      return leaseView(after, room);
    });
  }

  async removeLease(principal: Principal, roomId: string, leaseId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const room = await loadScoped(manager, this.scope, principal, ServerRoom, 'server room', roomId, true);
      const lease = await this.lease(manager, roomId, leaseId);
      if (room.status === 'closed') throw closedRoom(room);
      await manager.getRepository(NetworkLease).delete({ id: leaseId });
      await this.audit.record(manager, {
        action: 'lease.delete',
        targetType: 'lease',
        targetId: leaseId,
        departmentId: room.departmentId,
        before: lease,
      });
    });
  }

  private async lease(manager: EntityManager, roomId: string, leaseId: string): Promise<NetworkLease> {
    const lease = await manager.getRepository(NetworkLease).findOneBy({ id: leaseId, roomId });
    if (!lease) throw notFound('lease', leaseId);
    return lease;
  }
}

/**
 * A closed room's record is what finance's stopped budget and lease carry-over were worked out from:
 * its figures and leases stay as they were at closure (a lease may still end sooner: updateLease).
 */
const closedRoom = (room: ServerRoom) =>
  conflict(`server room ${room.name} is closed; its figures and leases stay as they were at closure`);

function assertTerm(start: string, end: string): void {
  if (end <= start) throw invalid('contractEnd', 'must be after contractStart');
}

export function leaseView(lease: NetworkLease, room: Pick<ServerRoom, 'status'>): LeaseView {
  return Object.assign(lease, {
    closureAction: leaseAction(lease.contractStart, lease.contractEnd),
    renewable: room.status !== 'closed',
  });
}
