import { afterAll, beforeAll } from '@jest/globals';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import type { TestApp } from './harness.js';
import { bearer, startApp, unique } from './harness.js';
import { VERIFICATION_CHECKS, type MigrationStatus } from '../../src/modules/migration/status-machine.js';

/** A valid system body; tests override only what they are about. */
export const aSystem = (departmentId: string, extra: Record<string, unknown> = {}) => ({
  departmentId,
  name: unique('系统'),
  classification: 'non-classified',
  protectionLevel: 2,
  architecture: 'B/S',
  userCount: 100,
  ...extra,
});

export const aHost = (departmentId: string, extra: Record<string, unknown> = {}) => ({
  departmentId,
  hostname: unique('host'),
  kind: 'physical',
  cpuCores: 8,
  memoryGib: 32,
  diskGib: 500,
  ...extra,
});

export const PASSED_CHECKLIST = VERIFICATION_CHECKS.map((c) => ({ item: c.item, passed: true }));

/** The evidence each step needs, so walking a subject along its happy path is one call per step. */
export const evidenceFor = (to: MigrationStatus) => ({
  to,
  note: `${to} 证明材料`,
  ...(to === 'migrated' ? { checklist: PASSED_CHECKLIST } : {}),
  ...(to === 'archived' ? { archiveRef: `DA-${unique('ref')}` } : {}),
});

export const HAPPY_PATH: MigrationStatus[] = [
  'assessed',
  'planned',
  'migrating',
  'verifying',
  'migrated',
  'archived',
];

/** Creates a system through the API as `token`: its body as answered. */
export async function postSystem(
  t: TestApp,
  token: string,
  departmentId: string,
  extra: Record<string, unknown> = {},
) {
  return (
    await t.http().post('/api/v1/systems').set(bearer(token)).send(aSystem(departmentId, extra)).expect(201)
  ).body;
}

/** Walks a system or host along the happy path up to and including `until`. */
export async function walk(
  t: TestApp,
  token: string,
  kind: 'systems' | 'hosts',
  id: string,
  until: MigrationStatus,
) {
  for (const to of HAPPY_PATH.slice(0, HAPPY_PATH.indexOf(until) + 1)) {
    await t
      .http()
      .post(`/api/v1/${kind}/${id}/transitions`)
      .set(bearer(token))
      .send(evidenceFor(to))
      .expect(200);
  }
}

/** Moves a server room to closing, as an operator plans its closure and starts it. */
export async function toClosing(t: TestApp, operator: string, roomId: string) {
  for (const body of [{ to: 'closure-planned' }, { to: 'closing', note: '开始关停' }])
    await t
      .http()
      .post(`/api/v1/server-rooms/${roomId}/transitions`)
      .set(bearer(operator))
      .send(body)
      .expect(200);
}

/** A pool row straight in the database (the provisioning API is not what these tests are about). */
export async function aPool(
  t: Pick<TestApp, 'dataSource'>,
  capacity = { vcpu: 100, memoryGiB: 400, storageGiB: 10000, gpu: 0 },
) {
  const id = randomUUID();
  await t.dataSource.query(
    `INSERT INTO pools (id, name, type, tier, connection_sealed, capacity, allocated) VALUES ($1, $2, 'fake', 'self-managed', '', $3, $4)`,
    [id, unique('pool'), capacity, { vcpu: 0, memoryGiB: 0, storageGiB: 0, gpu: 0 }],
  );
  return id;
}

/** A running resource of a department, straight in the database. */
export async function aResource(t: Pick<TestApp, 'dataSource'>, departmentId: string, poolId?: string) {
  const id = randomUUID();
  await t.dataSource.query(
    `INSERT INTO resources (id, department_id, pool_id, kind, name, spec, state, desired_state) VALUES ($1, $2, $3, 'vm', $4, '{}', 'running', 'running')`,
    [id, departmentId, poolId ?? (await aPool(t)), unique('vm').slice(0, 60)],
  );
  return id;
}

/** Moves every history row of a system to the given day (UTC noon), to build a past. */
export async function backdate(t: TestApp, systemId: string, toStatus: MigrationStatus, day: string) {
  await t.dataSource.query(
    `UPDATE migration_transitions SET at = $3::date + interval '12 hours' WHERE subject_id = $1 AND to_status = $2`,
    [systemId, toStatus, day],
  );
}

/** A valid server room body. */
export const aRoom = (departmentId: string, extra: Record<string, unknown> = {}) => ({
  departmentId,
  name: unique('机房'),
  address: '市政府大楼三楼',
  floorAreaM2: 60,
  racks: 6,
  itPowerKw: 24,
  pue: 2.2,
  utilisationPercent: 25,
  costElectricity: '180000.00',
  costMaintenance: '60000.50',
  costStaff: '120000.00',
  costNetwork: '36000.00',
  costOther: '4000.25',
  ...extra,
});

/** An XLSX workbook with the given rows (the first one or two are headers). */
export async function xlsx(rows: Array<Array<string | number>>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('sheet');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export const SYSTEM_HEADER = [
  '部门编码',
  '系统名称',
  '用途',
  '密级',
  '等保级别',
  '架构',
  '数据库',
  '专用设备',
  '数据量(GB)',
  '用户数',
  '可用性要求',
  '关键系统',
];
export const SYSTEM_KEYS = [
  'departmentCode',
  'name',
  'purpose',
  'classification',
  'protectionLevel',
  'architecture',
  'databases',
  'specialDevices',
  'dataVolumeGb',
  'userCount',
  'availability',
  'critical',
];

/**
 * An API app with a city tree and tokens for every role, for the spreadsheet tests of the file (or
 * describe) this is called in: its hooks start it before them and close it after. Its fields stand only
 * once the tests run, so a test takes them in its body; `upload` and `countSystems` may be taken at once.
 * Only tests import this file, hence the hooks of @jest/globals.
 */
export function inventorySpreadsheets() {
  const world = {} as {
    t: TestApp;
    tree: Awaited<ReturnType<TestApp['world']['city']>>;
    tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;
  };
  beforeAll(async () => {
    world.t = await startApp();
    world.tree = await world.t.world.city();
    world.tokens = await world.t.world.tokens(world.tree.dept.id, world.tree.other.id);
  });
  afterAll(() => world.t?.close());

  const upload = (
    kind: 'systems' | 'hosts',
    file: Buffer | string,
    name: string,
    token = world.tokens.operator,
    query = '',
  ) =>
    world.t
      .http()
      .post(`/api/v1/${kind}/import${query}`)
      .set(bearer(token))
      .attach('file', typeof file === 'string' ? Buffer.from(file) : file, name);
  const countSystems = async (departmentId: string) =>
    Number(
      (
        await world.t.dataSource.query('SELECT count(*) FROM information_systems WHERE department_id = $1', [
          departmentId,
        ])
      )[0].count,
    );
  return Object.assign(world, { upload, countSystems });
}
