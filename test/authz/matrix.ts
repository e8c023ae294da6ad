// THE AUTHORISATION MATRIX: for every operation of the OpenAPI document (/api/docs-json), the status
// each caller gets. test/authz/authz.e2e.ts (`npm run test:authz`, part of `npm test`) sends every
// request and fails on any difference, on an operation without a row, and on a row without an operation.
//
// HOW TO ADD A ROW (one per operation; add yours in the same change as the endpoint):
//
//   row('op  fin own oth aud anon', 'METHOD /path/as/in/docs-json/{id}', (c) => ({ params, query, body })),
//
// - The six statuses, in this order: operator, finance, dept-admin of the department that owns the
//   object (c.tree.dept), dept-admin of another department (c.tree.other), auditor, no token.
// - The function builds the request. It is called afresh for each caller, so a DELETE or a state change
//   gets its own object every time. Make the objects it needs owned by c.tree.dept, through c.world's
//   builders, c.as(caller, method, path, body) (the API, failing on non-2xx) or c.dataSource. Send a
//   VALID body: the matrix tests who gets in, so callers let in must get the success status.
// - Keep rows grouped by module, in the order of the docs.
import { randomUUID } from 'node:crypto';
import { AuditExport } from '../../src/modules/audit/entities/audit-export.entity.js';
import { Resource } from '../../src/modules/provisioning/entities/resource.entity.js';
import { unique } from '../support/harness.js';
import { BillingWorld, PRICES } from '../support/billing.js';
import { aHost, aResource, aRoom, aSystem } from '../support/inventory.js';
import { row, type Ctx } from './matrix-support.js';

/** A fresh unit under the owning department, for operations that change or delete one. */
const unit = async (c: Ctx) => (await c.world.department('unit', c.tree.dept)).id;

/** One user with a password for every login row (hashing a password costs ~0.5 s). */
const loginUsers = new WeakMap<Ctx, Promise<string>>();
const loginUser = (c: Ctx) => {
  if (!loginUsers.has(c)) {
    const username = unique('login');
    const created = { username, password: 'Authz-password-1', role: 'finance' };
    loginUsers.set(
      c,
      c.as('operator', 'POST', '/api/v1/users', created).then(() => username),
    );
  }
  return loginUsers.get(c)!;
};

/** A pending quota request filed by the owning department's admin, so the operator may decide it. */
const quotaRequest = async (c: Ctx) =>
  (
    await c.as('own', 'POST', '/api/v1/quota-requests', {
      departmentId: c.tree.dept.id,
      limits: { vcpu: 0 },
      reason: '矩阵',
    })
  ).id as string;

/** A system / host owned by the owning department, created through the API. */
const system = async (c: Ctx) =>
  (await c.as('operator', 'POST', '/api/v1/systems', aSystem(c.tree.dept.id))).id;
const host = async (c: Ctx) => (await c.as('operator', 'POST', '/api/v1/hosts', aHost(c.tree.dept.id))).id;
const fakePool = () => ({
  name: unique('pool'),
  type: 'fake',
  tier: 'provider',
  connection: '',
  capacity: { vcpu: 8, memoryGiB: 16, storageGiB: 100 },
});
const pool = async (c: Ctx) => (await c.as('operator', 'POST', '/api/v1/pools', fakePool())).id as string;

/** One pool with room, and quota down the owning department's branch, shared by the resource rows. */
const placements = new WeakMap<Ctx, Promise<string>>();
const placement = (c: Ctx) => {
  if (!placements.has(c)) {
    const setUp = async () => {
      const limits = { vcpu: 1000, memoryGiB: 4000, storageGiB: 100_000, instances: 1000 };
      for (const d of [c.tree.city, c.tree.district, c.tree.dept])
        await c.as('operator', 'PUT', `/api/v1/departments/${d.id}/quota`, { limits });
      const body = { ...fakePool(), capacity: { vcpu: 1000, memoryGiB: 4000, storageGiB: 100_000 } };
      return (await c.as('operator', 'POST', '/api/v1/pools', body)).id as string;
    };
    placements.set(c, setUp());
  }
  return placements.get(c)!;
};
const aResourceRequest = async (c: Ctx) => ({
  kind: 'vm',
  name: unique('vm'),
  departmentId: c.tree.dept.id,
  poolId: await placement(c),
  spec: { vcpu: 1, memoryGiB: 1, storageGiB: 10, image: 'debian-12' },
});
/** A resource of the owning department in a given state, written directly (the matrix runs no worker). */
const resourceIn = async (
  c: Ctx,
  state: string,
  desiredState = state === 'stopped' ? 'stopped' : 'running',
) => {
  const id = randomUUID();
  const { spec, ...rest } = await aResourceRequest(c);
  await c.dataSource.getRepository(Resource).insert({ id, ...rest, spec, state, desiredState } as Resource);
  return id;
};
/** A migration wave (city-wide; only operators plan them). */
const wave = async (c: Ctx) =>
  (
    await c.as('operator', 'POST', '/api/v1/migration/waves', {
      name: unique('批次'),
      targetDate: '2026-12-31',
    })
  ).id;

/** A server room of the owning department; `closing` walks it to where close is allowed. */
const room = async (c: Ctx, closing = false) => {
  const id = (await c.as('operator', 'POST', '/api/v1/server-rooms', aRoom(c.tree.dept.id))).id;
  if (closing) {
    await c.as('operator', 'POST', `/api/v1/server-rooms/${id}/transitions`, { to: 'closure-planned' });
    await c.as('operator', 'POST', `/api/v1/server-rooms/${id}/transitions`, { to: 'closing' });
  }
  return id;
};
const LEASE = {
  provider: '中国电信',
  bandwidthMbps: 100,
  monthlyFee: '2500.00',
  contractStart: '2025-01-01',
  contractEnd: '2027-06-30',
};
const lease = async (c: Ctx) => {
  const id = await room(c);
  return { id, leaseId: (await c.as('operator', 'POST', `/api/v1/server-rooms/${id}/leases`, LEASE)).id };
};

/** Rebill periods of the 1990s, one per use, so the matrix's runs never meet each other or other tests'. */
let periods = 0;
const period = () => new Date(Date.UTC(1990, periods++, 1)).toISOString().slice(0, 7);
const rateCard = async (c: Ctx) =>
  (
    await c.as('finance', 'POST', '/api/v1/rate-cards', {
      poolId: await pool(c),
      name: '招标价格',
      effectiveFrom: '1980-01-01',
      prices: PRICES,
    })
  ).id as string;
/** A computed rebill with one line owned by the owning department: its line id. */
const rebillLine = async (c: Ctx) => {
  const b = new BillingWorld(c.dataSource);
  const poolId = await b.pool();
  await b.card(poolId, '1980-01-01');
  const p = period();
  await b.resource(c.tree.dept.id, poolId, { vcpu: 1, memoryGiB: 0, storageGiB: 0 }, [
    ['running', `${p}-02T00:00:00Z`],
  ]);
  const run = await c.as('finance', 'POST', '/api/v1/rebills', { period: p });
  const view = await c.as('finance', 'GET', `/api/v1/rebills/${run.id}/departments/${c.tree.dept.id}`);
  return { id: run.id as string, lineId: view.lines.items[0].id as string };
};

export const MATRIX = [
  // auth
  row('200 200 200 200 200 200', 'POST /api/v1/auth/login', async (c) => ({
    body: { username: await loginUser(c), password: 'Authz-password-1' },
  })),
  row('200 200 200 200 200 401', 'GET /api/v1/auth/me'),
  row('201 201 201 201 201 401', 'POST /api/v1/auth/tokens', () => ({ body: { name: 'authz 矩阵' } })),
  row('200 200 200 200 200 401', 'GET /api/v1/auth/tokens'),
  // A token belongs to its user (here the owning department's admin); no one else may revoke it.
  row('404 404 204 404 404 401', 'DELETE /api/v1/auth/tokens/{id}', async (c) => ({
    params: { id: (await c.as('own', 'POST', '/api/v1/auth/tokens', { name: 'revoke me' })).id },
  })),

  // users
  row('200 403 403 403 200 401', 'GET /api/v1/users'),
  row('201 403 403 403 403 401', 'POST /api/v1/users', (c) => ({
    body: {
      username: unique('u'),
      password: 'Authz-password-1',
      role: 'dept-admin',
      departmentId: c.tree.dept.id,
    },
  })),
  row('200 403 403 403 403 401', 'PATCH /api/v1/users/{id}', async (c) => ({
    params: { id: (await c.world.user('dept-admin', c.tree.dept.id)).id },
    body: { displayName: '张三' },
  })),

  // departments
  row('200 200 200 200 200 401', 'GET /api/v1/departments'),
  row('200 200 200 404 200 401', 'GET /api/v1/departments/{id}', (c) => ({ params: { id: c.tree.dept.id } })),
  row('201 403 403 403 403 401', 'POST /api/v1/departments', (c) => ({
    body: { code: unique('unit'), name: '信息中心', kind: 'unit', parentId: c.tree.dept.id },
  })),
  row('200 403 403 403 403 401', 'PATCH /api/v1/departments/{id}', async (c) => ({
    params: { id: await unit(c) },
    body: { name: '新名称' },
  })),
  row('200 403 403 403 403 401', 'POST /api/v1/departments/{id}/move', async (c) => ({
    params: { id: await unit(c) },
    body: { parentId: (await c.world.department('department', c.tree.city)).id },
  })),
  row('204 403 403 403 403 401', 'DELETE /api/v1/departments/{id}', async (c) => ({
    params: { id: await unit(c) },
  })),

  // audit
  row('200 403 403 403 200 401', 'GET /api/v1/audit'),

  row('202 403 403 403 202 401', 'POST /api/v1/audit/exports', () => ({ body: {} })),
  row('200 403 403 403 200 401', 'GET /api/v1/audit/exports/{id}', async (c) => ({
    params: { id: (await c.as('operator', 'POST', '/api/v1/audit/exports', {})).id },
  })),
  row('200 403 403 403 200 401', 'GET /api/v1/audit/exports/{id}/content', async (c) => {
    const id = randomUUID();
    const requestedBy = (await c.world.user('auditor')).id;
    await c.dataSource
      .getRepository(AuditExport)
      .insert({ id, requestedBy, filters: {}, state: 'done', content: 'x' });
    return { params: { id } };
  }),

  // quota
  row('200 200 200 404 200 401', 'GET /api/v1/departments/{id}/quota', (c) => ({
    params: { id: c.tree.dept.id },
  })),
  row('200 403 403 403 403 401', 'PUT /api/v1/departments/{id}/quota', async (c) => ({
    params: { id: await unit(c) },
    body: { limits: { vcpu: 0 } },
  })),
  row('200 200 200 200 200 401', 'GET /api/v1/quota/near-limit'),
  row('200 403 403 403 200 401', 'GET /api/v1/quota/drift'),

  row('201 403 201 404 403 401', 'POST /api/v1/quota-requests', (c) => ({
    body: { departmentId: c.tree.dept.id, limits: { vcpu: 1 }, reason: '新系统上云' },
  })),
  row('200 200 200 200 200 401', 'GET /api/v1/quota-requests'),
  row('200 200 200 404 200 401', 'GET /api/v1/quota-requests/{id}', async (c) => ({
    params: { id: await quotaRequest(c) },
  })),
  row('200 403 403 403 403 401', 'POST /api/v1/quota-requests/{id}/approve', async (c) => ({
    params: { id: await quotaRequest(c) },
    body: { limits: { vcpu: 0 } },
  })),
  row('200 403 403 403 403 401', 'POST /api/v1/quota-requests/{id}/reject', async (c) => ({
    params: { id: await quotaRequest(c) },
    body: { reason: '预算不足' },
  })),

  // migration: systems
  row('200 200 200 200 200 401', 'GET /api/v1/systems'),
  row('201 403 201 404 403 401', 'POST /api/v1/systems', (c) => ({ body: aSystem(c.tree.dept.id) })),
  row('200 200 200 404 200 401', 'GET /api/v1/systems/{id}', async (c) => ({
    params: { id: await system(c) },
  })),
  row('200 403 200 404 403 401', 'PATCH /api/v1/systems/{id}', async (c) => ({
    params: { id: await system(c) },
    body: { userCount: 500 },
  })),
  row('204 403 204 404 403 401', 'DELETE /api/v1/systems/{id}', async (c) => ({
    params: { id: await system(c) },
  })),
  row('200 403 200 404 403 401', 'POST /api/v1/systems/{id}/transitions', async (c) => ({
    params: { id: await system(c) },
    body: { to: 'assessed', note: '评估完成' },
  })),
  row('200 200 200 404 200 401', 'GET /api/v1/systems/{id}/transitions', async (c) => ({
    params: { id: await system(c) },
  })),
  row('200 403 403 403 403 401', 'PUT /api/v1/systems/{id}/strategy', async (c) => ({
    params: { id: await system(c) },
    body: { strategy: 'hosting', reason: '整体托管' },
  })),

  // migration: hosts
  row('200 200 200 200 200 401', 'GET /api/v1/hosts'),
  row('201 403 201 404 403 401', 'POST /api/v1/hosts', (c) => ({ body: aHost(c.tree.dept.id) })),
  row('200 200 200 404 200 401', 'GET /api/v1/hosts/{id}', async (c) => ({ params: { id: await host(c) } })),
  row('200 403 200 404 403 401', 'PATCH /api/v1/hosts/{id}', async (c) => ({
    params: { id: await host(c) },
    body: { cpuCores: 16 },
  })),
  row('204 403 204 404 403 401', 'DELETE /api/v1/hosts/{id}', async (c) => ({
    params: { id: await host(c) },
  })),
  row('200 403 200 404 403 401', 'POST /api/v1/hosts/{id}/transitions', async (c) => ({
    params: { id: await host(c) },
    body: { to: 'assessed', note: '评估完成' },
  })),
  row('200 200 200 404 200 401', 'GET /api/v1/hosts/{id}/transitions', async (c) => ({
    params: { id: await host(c) },
  })),

  // pools: run by operators, seen by all (never their connections)
  row('200 200 200 200 200 401', 'GET /api/v1/pools'),
  row('200 200 200 200 200 401', 'GET /api/v1/pools/{id}', async (c) => ({ params: { id: await pool(c) } })),
  row('200 403 403 403 200 401', 'GET /api/v1/pools/{id}/reconcile-events', async (c) => ({
    params: { id: await pool(c) },
  })),
  row('201 403 403 403 403 401', 'POST /api/v1/pools', () => ({ body: fakePool() })),
  row('200 403 403 403 403 401', 'PATCH /api/v1/pools/{id}', async (c) => ({
    params: { id: await pool(c) },
    body: { enabled: false },
  })),
  row('200 403 403 403 403 401', 'POST /api/v1/pools/{id}/capacity', async (c) => ({
    params: { id: await pool(c) },
    body: { amounts: { vcpu: 4 }, reason: '机房设备并入' },
  })),
  row('204 403 403 403 403 401', 'DELETE /api/v1/pools/{id}', async (c) => ({
    params: { id: await pool(c) },
  })),

  // migration: spreadsheets (the import's rows name the owning department's code)
  row('200 200 200 200 200 401', 'GET /api/v1/systems/template'),
  row('200 200 200 200 200 401', 'GET /api/v1/systems/export', () => ({ query: { format: 'csv' } })),
  row('200 403 200 422 403 401', 'POST /api/v1/systems/import', (c) => ({
    file: {
      field: 'file',
      name: 'systems.csv',
      content: Buffer.from(
        `部门编码,系统名称,密级,等保级别,架构\n${c.tree.dept.code},${unique('系统')},非涉密,2,B/S\n`,
      ),
    },
  })),
  row('200 200 200 200 200 401', 'GET /api/v1/hosts/template'),
  row('200 200 200 200 200 401', 'GET /api/v1/hosts/export', () => ({ query: { format: 'csv' } })),
  row('200 403 200 422 403 401', 'POST /api/v1/hosts/import', (c) => ({
    file: {
      field: 'file',
      name: 'hosts.csv',
      content: Buffer.from(`部门编码,主机名,类型\n${c.tree.dept.code},${unique('host')},物理机\n`),
    },
  })),

  row('200 403 200 404 403 401', 'PUT /api/v1/systems/{id}/resources', async (c) => {
    const resource = await aResource(c, c.tree.dept.id);
    return { params: { id: await system(c) }, body: { resourceIds: [resource] } };
  }),

  // migration: waves, targets, reports
  row('200 200 200 200 200 401', 'GET /api/v1/migration/waves'),
  row('201 403 403 403 403 401', 'POST /api/v1/migration/waves', () => ({
    body: { name: unique('批次'), targetDate: '2026-12-31' },
  })),
  row('200 403 403 403 403 401', 'PATCH /api/v1/migration/waves/{id}', async (c) => ({
    params: { id: await wave(c) },
    body: { targetDate: '2027-06-30' },
  })),
  row('204 403 403 403 403 401', 'DELETE /api/v1/migration/waves/{id}', async (c) => ({
    params: { id: await wave(c) },
  })),
  row('200 200 200 200 200 401', 'GET /api/v1/migration/waves/{id}/suggestion', async (c) => ({
    params: { id: await wave(c) },
  })),
  row('200 403 403 403 403 401', 'POST /api/v1/migration/waves/{id}/fill', async (c) => ({
    params: { id: await wave(c) },
    body: { size: 1, departmentId: c.tree.dept.id },
  })),
  row('200 403 403 403 403 401', 'POST /api/v1/migration/waves/{id}/systems', async (c) => ({
    params: { id: await wave(c) },
    body: { systemIds: [await system(c)] },
  })),
  row('204 403 403 403 403 401', 'DELETE /api/v1/migration/waves/{id}/systems/{systemId}', async (c) => {
    const id = await wave(c);
    const systemId = await system(c);
    await c.as('operator', 'POST', `/api/v1/migration/waves/${id}/systems`, { systemIds: [systemId] });
    return { params: { id, systemId } };
  }),
  row('200 200 200 200 200 401', 'GET /api/v1/migration/targets'),
  row('201 403 403 403 403 401', 'POST /api/v1/migration/targets', () => ({
    body: { dueDate: '2030-12-31', percentage: 80 },
  })),
  row('204 403 403 403 403 401', 'DELETE /api/v1/migration/targets/{id}', async (c) => ({
    params: {
      id: (
        await c.as('operator', 'POST', '/api/v1/migration/targets', { dueDate: '2030-12-31', percentage: 90 })
      ).id,
    },
  })),
  row('200 200 200 404 200 401', 'GET /api/v1/reports/migration', (c) => ({
    query: { departmentId: c.tree.dept.id, format: 'csv' },
  })),
  row('200 200 200 404 200 401', 'GET /api/v1/reports/migration/burnup', (c) => ({
    query: { departmentId: c.tree.dept.id },
  })),

  // resources: dept-admins within their subtree, operators everywhere; changes answer 202
  row('202 403 202 404 403 401', 'POST /api/v1/resources', async (c) => ({
    body: await aResourceRequest(c),
  })),
  row('202 403 202 404 403 401', 'POST /api/v1/resources/bulk', async (c) => ({
    body: { ...(await aResourceRequest(c)), count: 2 },
  })),
  row('200 200 200 200 200 401', 'GET /api/v1/resources'),
  row('200 200 200 404 200 401', 'GET /api/v1/resources/{id}', async (c) => ({
    params: { id: await resourceIn(c, 'running') },
  })),
  row('202 403 202 404 403 401', 'PATCH /api/v1/resources/{id}', async (c) => ({
    params: { id: await resourceIn(c, 'running') },
    body: { spec: { vcpu: 2 } },
  })),
  row('202 403 202 404 403 401', 'DELETE /api/v1/resources/{id}', async (c) => ({
    params: { id: await resourceIn(c, 'running') },
  })),
  row('202 403 202 404 403 401', 'POST /api/v1/resources/{id}/stop', async (c) => ({
    params: { id: await resourceIn(c, 'running') },
  })),
  row('202 403 202 404 403 401', 'POST /api/v1/resources/{id}/start', async (c) => ({
    params: { id: await resourceIn(c, 'stopped') },
  })),
  row('202 403 202 404 403 401', 'POST /api/v1/resources/{id}/retry', async (c) => ({
    params: { id: await resourceIn(c, 'failed') },
  })),

  // facilities: server rooms
  row('200 200 200 200 200 401', 'GET /api/v1/server-rooms'),
  row('201 403 201 404 403 401', 'POST /api/v1/server-rooms', (c) => ({ body: aRoom(c.tree.dept.id) })),
  row('200 200 200 404 200 401', 'GET /api/v1/server-rooms/{id}', async (c) => ({
    params: { id: await room(c) },
  })),
  row('200 403 200 404 403 401', 'PATCH /api/v1/server-rooms/{id}', async (c) => ({
    params: { id: await room(c) },
    body: { racks: 8 },
  })),
  row('204 403 204 404 403 401', 'DELETE /api/v1/server-rooms/{id}', async (c) => ({
    params: { id: await room(c) },
  })),
  row('200 403 403 403 403 401', 'POST /api/v1/server-rooms/{id}/transitions', async (c) => ({
    params: { id: await room(c) },
    body: { to: 'closure-planned' },
  })),
  row('200 403 403 403 403 401', 'POST /api/v1/server-rooms/{id}/close', async (c) => ({
    params: { id: await room(c, true) },
    body: { closedOn: '2026-12-31' },
  })),
  row('200 200 200 404 200 401', 'GET /api/v1/server-rooms/{id}/leases', async (c) => ({
    params: { id: await room(c) },
  })),
  row('201 403 201 404 403 401', 'POST /api/v1/server-rooms/{id}/leases', async (c) => ({
    params: { id: await room(c) },
    body: LEASE,
  })),
  row('200 403 200 404 403 401', 'PATCH /api/v1/server-rooms/{id}/leases/{leaseId}', async (c) => ({
    params: await lease(c),
    body: { bandwidthMbps: 200 },
  })),
  row('204 403 204 404 403 401', 'DELETE /api/v1/server-rooms/{id}/leases/{leaseId}', async (c) => ({
    params: await lease(c),
  })),
  row('200 200 200 404 200 401', 'GET /api/v1/reports/server-rooms', (c) => ({
    query: { departmentId: c.tree.dept.id, year: 2026, format: 'csv' },
  })),
  row('200 200 200 200 200 401', 'GET /api/v1/server-rooms/template'),
  row('200 200 200 200 200 401', 'GET /api/v1/server-rooms/export', () => ({ query: { format: 'csv' } })),
  row('200 403 200 422 403 401', 'POST /api/v1/server-rooms/import', (c) => ({
    file: {
      field: 'file',
      name: 'rooms.csv',
      content: Buffer.from(`部门编码,机房名称,机柜数\n${c.tree.dept.code},${unique('机房')},4\n`),
    },
  })),

  // rate cards: tender prices everyone reads; operators and finance manage them
  row('200 200 200 200 200 401', 'GET /api/v1/rate-cards'),
  row('200 200 200 200 200 401', 'GET /api/v1/rate-cards/{id}', async (c) => ({
    params: { id: await rateCard(c) },
  })),
  row('201 201 403 403 403 401', 'POST /api/v1/rate-cards', async (c) => ({
    body: { poolId: await pool(c), name: '招标价格', effectiveFrom: '1980-01-01', prices: PRICES },
  })),
  row('200 200 403 403 403 401', 'PATCH /api/v1/rate-cards/{id}', async (c) => ({
    params: { id: await rateCard(c) },
    body: { tenderRef: 'ZB-2025-001' },
  })),
  row('204 204 403 403 403 401', 'DELETE /api/v1/rate-cards/{id}', async (c) => ({
    params: { id: await rateCard(c) },
  })),

  // rebills: finance and operators run them; everyone reads, a dept-admin only its subtree
  row('201 201 403 403 403 401', 'POST /api/v1/rebills', () => ({ body: { period: period() } })),
  row('200 200 403 403 403 401', 'POST /api/v1/rebills/{id}/finalize', async (c) => ({
    params: { id: (await c.as('finance', 'POST', '/api/v1/rebills', { period: period() })).id },
  })),
  row('200 200 200 200 200 401', 'GET /api/v1/rebills'),
  row('200 200 200 200 200 401', 'GET /api/v1/rebills/{id}', async (c) => ({
    params: { id: (await rebillLine(c)).id },
  })),
  row('200 200 200 404 200 401', 'GET /api/v1/rebills/{id}/departments/{deptId}', async (c) => ({
    params: { id: (await rebillLine(c)).id, deptId: c.tree.dept.id },
  })),
  row('200 200 200 404 200 401', 'GET /api/v1/rebills/{id}/lines/{lineId}', async (c) => ({
    params: await rebillLine(c),
  })),

  // finance reports and budgets
  row('200 200 200 200 200 401', 'GET /api/v1/reports/usage', () => ({
    query: { from: '1989-01', to: '1989-02' },
  })),
  row('200 200 200 200 200 401', 'GET /api/v1/reports/budgets', () => ({ query: { year: 2020 } })),
  row('200 200 200 404 200 401', 'GET /api/v1/reports/fiscal-effect', (c) => ({
    query: { year: 2001, departmentId: c.tree.dept.id, format: 'csv' },
  })),
  row('200 200 403 403 403 401', 'PUT /api/v1/budgets/{departmentId}', (c) => ({
    params: { departmentId: c.tree.dept.id },
    body: { year: 2020, amount: '500000.00' },
  })),
  row('200 200 403 403 403 401', 'POST /api/v1/budgets/check'),
];
