import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, ErrorCode, invalid } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { loadScoped } from '../migration/scoped.js';
import { PoolsService } from '../provisioning/pools/pools.service.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import type { CloseRoomDto } from './dto/room.dto.js';
import { RoomEquipment } from './entities/room-equipment.entity.js';
import { ServerRoom } from './entities/server-room.entity.js';
import { budgetStopsOn, checkRoomTransition, HOST_DONE, SYSTEM_DONE, todayInChina } from './room-status.js';
import { RoomsService } from './rooms.service.js';

export interface Blockers {
  hosts: Array<{
    id: string;
    hostname: string;
    status: string;
    systems: Array<{ id: string; name: string; status: string }>;
  }>;
  systems: Array<{ id: string; name: string; status: string }>;
}

interface RoomHost {
  id: string;
  hostname: string;
  kind: string;
  status: string;
  cpu_cores: number;
  memory_gib: number;
  disk_gib: number;
}

/**
 * Closing a room (关停): allowed only once every host in it is migrated, archived or retired (a
 * relocated host has left the room), and every system recorded there is done. Records what became
 * of the equipment: into a cloud pool, whose capacity rises (provisioning's PoolsService), or disposed of.
 */
@Injectable()
export class RoomClosureService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
    private readonly pools: PoolsService,
    private readonly rooms: RoomsService,
  ) {}

  async blockers(manager: EntityManager, roomId: string): Promise<Blockers> {
    const hosts: Array<{
      id: string;
      hostname: string;
      status: string;
      systems: Blockers['systems'] | null;
    }> = await manager.query(
      `SELECT h.id, h.hostname, h.status,
                (SELECT json_agg(json_build_object('id', s.id, 'name', s.name, 'status', s.status) ORDER BY s.name)
                 FROM system_hosts sh JOIN information_systems s ON s.id = sh.system_id WHERE sh.host_id = h.id) AS systems
         FROM hosts h WHERE h.server_room_id = $1 AND NOT (h.status = ANY($2)) ORDER BY h.hostname`,
      [roomId, HOST_DONE],
    );
    const systems: Blockers['systems'] = await manager.query(
      `SELECT id, name, status FROM information_systems WHERE server_room_id = $1 AND NOT (status = ANY($2)) ORDER BY name`,
      [roomId, SYSTEM_DONE],
    );
    return { hosts: hosts.map((h) => ({ ...h, systems: h.systems ?? [] })), systems };
  }

  async close(principal: Principal, id: string, dto: CloseRoomDto) {
    const closedOn = dto.closedOn ?? todayInChina();
    await this.dataSource.transaction(async (manager) => {
      const room = await loadScoped(manager, this.scope, principal, ServerRoom, 'server room', id, true);
      checkRoomTransition(room.status, 'closed', true);
      const blockers = await this.blockers(manager, id);
      if (blockers.hosts.length > 0 || blockers.systems.length > 0) {
        const list = [
          ...blockers.hosts.map((h) => `host ${h.hostname} (${h.status})`),
          ...blockers.systems.map((s) => `system ${s.name} (${s.status})`),
        ];
        throw new DomainError(
          ErrorCode.Conflict,
          `server room ${room.name} cannot close: ${list.join(', ')}`,
          {
            blockers,
          },
        );
      }
      const inRoom: RoomHost[] = await manager.query(
        'SELECT id, hostname, kind, status, cpu_cores, memory_gib, disk_gib FROM hosts WHERE server_room_id = $1',
        [id],
      );
      const byId = new Map(inRoom.map((h) => [h.id, h]));
      const seen = new Set<string>();
      const take = (field: string, hostId: string): RoomHost => {
        const host = byId.get(hostId);
        if (!host) throw invalid(field, `host ${hostId} is not in server room ${room.name}`);
        if (seen.has(hostId)) throw invalid(field, `host ${host.hostname} is listed twice`);
        seen.add(hostId);
        return host;
      };
      const records: Array<Partial<RoomEquipment>> = [];
      for (const [i, t] of (dto.transfers ?? []).entries()) {
        const host = take(`transfers[${i}].hostId`, t.hostId);
        if (host.kind !== 'physical')
          throw invalid(`transfers[${i}].hostId`, `${host.hostname} is virtual: no equipment to transfer`);
        const capacity = {
          vcpu: t.vcpu ?? host.cpu_cores,
          memoryGiB: t.memoryGiB ?? host.memory_gib,
          storageGiB: t.storageGiB ?? host.disk_gib,
          gpu: t.gpu ?? 0,
        };
        await this.pools.addCapacity(
          manager,
          t.poolId,
          capacity,
          `机房关停设备转入 equipment of ${host.hostname} from closed room ${room.name}`,
        );
        records.push({
          roomId: id,
          hostId: host.id,
          disposition: 'transferred',
          poolId: t.poolId,
          capacity,
          note: null,
        });
      }
      for (const [i, d] of (dto.disposals ?? []).entries()) {
        const host = take(`disposals[${i}].hostId`, d.hostId);
        records.push({
          roomId: id,
          hostId: host.id,
          disposition: 'disposed',
          poolId: null,
          capacity: null,
          note: d.note ?? null,
        });
      }
      if (records.length > 0) {
        await manager.getRepository(RoomEquipment).insert(records);
        // The equipment has left the room.
        await manager.query(
          'UPDATE hosts SET server_room_id = NULL, updated_at = now() WHERE id = ANY($1::uuid[])',
          [records.map((r) => r.hostId)],
        );
      }
      await manager.getRepository(ServerRoom).update({ id }, { status: 'closed', closedOn });
      await this.audit.record(manager, {
        action: 'server-room.close',
        targetType: 'server-room',
        targetId: id,
        departmentId: room.departmentId,
        before: { status: room.status },
        after: {
          status: 'closed',
          closedOn,
          budgetStopsOn: budgetStopsOn(closedOn),
          equipment: records,
          note: dto.note ?? null,
        },
      });
    });
    return this.rooms.get(principal, id);
  }
}
