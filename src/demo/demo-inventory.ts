import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ServerRoom } from '../modules/facilities/entities/server-room.entity.js';
import { NetworkLease } from '../modules/facilities/entities/network-lease.entity.js';
import { Host } from '../modules/migration/entities/host.entity.js';
import { InformationSystem } from '../modules/migration/entities/information-system.entity.js';
import { MigrationTarget } from '../modules/migration/entities/migration-target.entity.js';
import { MigrationTransition } from '../modules/migration/entities/migration-transition.entity.js';
import { MigrationWave } from '../modules/migration/entities/migration-wave.entity.js';
import type { MigrationStatus } from '../modules/migration/status-machine.js';
import { VERIFICATION_CHECKS } from '../modules/migration/status-machine.js';
import { assess } from '../modules/migration/systems.service.js';
import type { Department } from '../modules/tenancy/entities/department.entity.js';

type SystemSeed = [name: string, status: MigrationStatus, extra?: Partial<InformationSystem>];

/** Per department: its server room, its systems (with how far each has come) and its hosts. */
const INVENTORY: Array<{
  code: string;
  room: Partial<ServerRoom> & { name: string };
  systems: SystemSeed[];
  hosts: Array<[hostname: string, kind: 'physical' | 'virtual', serves: number[], status: MigrationStatus]>;
}> = [
  {
    code: 'gaj',
    room: {
      name: '市公安局指挥中心机房',
      racks: 24,
      floorAreaM2: 180,
      itPowerKw: 96,
      pue: 1.9,
      utilisationPercent: 55,
    },
    systems: [
      [
        '警务综合平台',
        'migrating',
        {
          protectionLevel: 3,
          architecture: 'B/S',
          databases: ['Oracle 11g'],
          userCount: 6000,
          availability: 'critical',
          critical: true,
        },
      ],
      [
        '人口信息管理系统',
        'assessed',
        { protectionLevel: 3, databases: ['Oracle 11g'], userCount: 3000, dataVolumeGb: 2000 },
      ],
      [
        '指挥调度系统',
        'exempted',
        { classification: 'classified', protectionLevel: 4, architecture: 'C/S', specialDevices: ['加密机'] },
      ],
    ],
    hosts: [
      ['gaj-app-01', 'physical', [0], 'migrating'],
      ['gaj-db-01', 'physical', [0, 1], 'assessed'],
      ['gaj-cmd-01', 'physical', [2], 'exempted'],
    ],
  },
  {
    code: 'tjj',
    room: {
      name: '市统计局三楼机房',
      racks: 4,
      floorAreaM2: 40,
      itPowerKw: 8,
      pue: 2.4,
      utilisationPercent: 20,
    },
    systems: [
      ['统计数据采集系统', 'archived', { userCount: 800, databases: ['MySQL'] }],
      ['统计门户网站', 'migrated', { userCount: 20000 }],
    ],
    hosts: [
      ['tjj-web-01', 'physical', [1], 'migrated'],
      ['tjj-db-01', 'physical', [0], 'archived'],
    ],
  },
  {
    code: 'rsj',
    room: {
      name: '市人力社保局机房',
      racks: 12,
      floorAreaM2: 90,
      itPowerKw: 40,
      pue: 2.1,
      utilisationPercent: 35,
    },
    systems: [
      [
        '社会保险业务系统',
        'planned',
        {
          protectionLevel: 3,
          architecture: 'C/S',
          databases: ['DB2'],
          userCount: 80000,
          availability: 'high',
        },
      ],
      ['就业服务平台', 'inventoried', { userCount: 5000, databases: ['MySQL'], middleware: ['Tomcat'] }],
    ],
    hosts: [
      ['rsj-app-01', 'virtual', [0, 1], 'inventoried'],
      ['rsj-db-01', 'physical', [0], 'planned'],
    ],
  },
  {
    code: 'wjw',
    room: {
      name: '市卫计委机房',
      racks: 8,
      floorAreaM2: 60,
      itPowerKw: 20,
      pue: 2.0,
      utilisationPercent: 45,
    },
    systems: [
      [
        '全民健康信息平台',
        'verifying',
        { protectionLevel: 3, databases: ['Oracle 12c'], userCount: 12000, dataVolumeGb: 15000 },
      ],
      ['卫生监督系统', 'blocked', { userCount: 300 }],
    ],
    hosts: [['wjw-app-01', 'physical', [0, 1], 'verifying']],
  },
];

const PATH: MigrationStatus[] = [
  'inventoried',
  'assessed',
  'planned',
  'migrating',
  'verifying',
  'migrated',
  'archived',
];

/** The statuses a seeded subject went through to reach `to`, a week apart, ending a week ago. */
function history(to: MigrationStatus): MigrationStatus[] {
  if (to === 'exempted' || to === 'retired') return ['inventoried', 'assessed', to];
  if (to === 'blocked') return ['inventoried', 'assessed', 'blocked'];
  return PATH.slice(0, PATH.indexOf(to) + 1);
}

/** Systems, hosts, server rooms, a wave and the city's targets for the demo city. */
export async function seedDemoInventory(
  manager: EntityManager,
  byCode: Map<string, Department>,
): Promise<void> {
  const transitions: Array<Partial<MigrationTransition>> = [];
  const record = (type: 'system' | 'host', id: string, departmentId: string, to: MigrationStatus) => {
    const steps = history(to);
    steps.forEach((status, i) =>
      transitions.push({
        subjectType: type,
        subjectId: id,
        departmentId,
        fromStatus: i === 0 ? null : steps[i - 1],
        toStatus: status,
        at: new Date(Date.now() - (steps.length - i) * 7 * 86_400_000),
        actorName: 'demo',
        note: status === 'blocked' ? '等待厂商提供迁移支持' : '演示数据 demo',
        checklist:
          status === 'migrated' ? VERIFICATION_CHECKS.map((c) => ({ item: c.item, passed: true })) : null,
        archiveRef: status === 'archived' ? 'DA-2026-0001' : null,
      }),
    );
  };
  const wave = manager
    .getRepository(MigrationWave)
    .create({ name: '第一批 2026', targetDate: '2026-12-31', note: '先易后难' });
  await manager.getRepository(MigrationWave).insert(wave);
  for (const entry of INVENTORY) {
    const department = byCode.get(entry.code)!;
    const room = manager.getRepository(ServerRoom).create({
      departmentId: department.id,
      address: `${department.name}办公楼`,
      costElectricity: '120000.00',
      costMaintenance: '45000.00',
      costStaff: '90000.00',
      costNetwork: '30000.00',
      costOther: '5000.00',
      status: 'active',
      ...entry.room,
    });
    await manager.getRepository(ServerRoom).insert(room);
    await manager.getRepository(NetworkLease).insert({
      roomId: room.id,
      provider: '中国电信',
      bandwidthMbps: 100,
      monthlyFee: '2500.00',
      contractStart: '2024-01-01',
      contractEnd: entry.code === 'gaj' ? '2028-12-31' : '2026-12-31',
    });
    const systems = entry.systems.map(([name, status, extra]) =>
      assess({
        id: randomUUID(),
        departmentId: department.id,
        name,
        purpose: null,
        ownerContact: `${department.name}信息科 0577-88000000`,
        classification: 'non-classified',
        protectionLevel: 2,
        architecture: 'B/S',
        databases: [],
        middleware: [],
        specialDevices: [],
        dataVolumeGb: 200,
        userCount: 500,
        availability: 'standard',
        critical: false,
        serverRoomId: room.id,
        status,
        blockedFrom: status === 'blocked' ? 'assessed' : null,
        archiveRef: status === 'archived' ? 'DA-2026-0001' : null,
        waveId: ['planned', 'migrating', 'verifying'].includes(status) ? wave.id : null,
        ...extra,
      } as InformationSystem),
    );
    await manager.getRepository(InformationSystem).insert(systems);
    for (const s of systems) record('system', s.id, department.id, s.status);
    for (const [hostname, kind, serves, status] of entry.hosts) {
      const host = manager.getRepository(Host).create({
        departmentId: department.id,
        hostname,
        kind,
        cpuCores: 16,
        memoryGib: 64,
        diskGib: 2000,
        os: 'CentOS 7',
        serverRoomId: room.id,
        rack: 'A01',
        rackUnit: '10-11',
        powerWatts: 450,
        purchaseYear: 2015,
        status,
        blockedFrom: null,
        archiveRef: status === 'archived' ? 'DA-2026-0001' : null,
      });
      await manager.getRepository(Host).insert(host);
      await manager.query('INSERT INTO system_hosts (host_id, system_id) SELECT $1, unnest($2::uuid[])', [
        host.id,
        serves.map((i) => systems[i].id),
      ]);
      record('host', host.id, department.id, status);
    }
  }
  await manager.getRepository(MigrationTransition).insert(transitions);
  const city = [...byCode.values()][0].path.split('/').filter(Boolean)[0];
  await manager.getRepository(MigrationTarget).insert([
    {
      dueDate: '2026-12-31',
      percentage: '80.00',
      scopeDepartmentId: city,
      label: '2026年底市级部门非涉密系统迁移80%',
    },
    { dueDate: '2028-12-31', percentage: '100.00', scopeDepartmentId: city, label: '2028年底全部迁移' },
  ]);
}
