import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { aRoom } from '../support/inventory.js';

const binary = (res: any, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('server-room report', () => {
  let t: TestApp;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;
  let city: Awaited<ReturnType<TestApp['world']['department']>>;
  let gaj: Awaited<ReturnType<TestApp['world']['department']>>;
  let unit: Awaited<ReturnType<TestApp['world']['department']>>;
  let mzj: Awaited<ReturnType<TestApp['world']['department']>>;

  const post = (p: string, body: object) => t.http().post(p).set(bearer(tokens.operator)).send(body);
  const room = async (departmentId: string, extra: Record<string, unknown>) =>
    (await post('/api/v1/server-rooms', aRoom(departmentId, extra)).expect(201)).body;
  const close = async (id: string, closedOn: string) => {
    await post(`/api/v1/server-rooms/${id}/transitions`, { to: 'closure-planned' }).expect(200);
    await post(`/api/v1/server-rooms/${id}/transitions`, { to: 'closing' }).expect(200);
    await post(`/api/v1/server-rooms/${id}/close`, { closedOn }).expect(200);
  };

  // 市公安局: one room closed 2025-06-30 (8 racks, 30 kW, O&M 100,000.10), its unit one closed
  // 2026-12-31 (4 racks, 12.5 kW, O&M 50,000.05) with two leases, and a retained room;
  // 市民政局: one closing room and one active room.
  beforeAll(async () => {
    t = await startApp();
    const tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
    city = await t.world.department('city', undefined, { name: '报表示范市' });
    gaj = await t.world.department('department', city, { name: '市公安局' });
    unit = await t.world.department('unit', gaj, { name: '市公安局信息中心' });
    mzj = await t.world.department('department', city, { name: '市民政局' });
    const costs = (total: string) => ({
      costElectricity: total,
      costMaintenance: '0',
      costStaff: '0',
      costNetwork: '0',
      costOther: '0',
    });
    const a = await room(gaj.id, { racks: 8, itPowerKw: 30, ...costs('100000.10') });
    const b = await room(unit.id, { racks: 4, itPowerKw: 12.5, ...costs('50000.05') });
    await post(`/api/v1/server-rooms/${b.id}/leases`, {
      provider: '中国电信',
      bandwidthMbps: 100,
      monthlyFee: '2500.00',
      contractStart: '2025-01-01',
      contractEnd: '2027-06-30',
    }).expect(201);
    await post(`/api/v1/server-rooms/${b.id}/leases`, {
      provider: '中国联通',
      bandwidthMbps: 1000,
      monthlyFee: '18000.00',
      contractStart: '2024-01-01',
      contractEnd: '2029-12-31',
    }).expect(201);
    const kept = await room(gaj.id, { racks: 40 });
    await post(`/api/v1/server-rooms/${kept.id}/transitions`, { to: 'retained' }).expect(200);
    const closing = await room(mzj.id, { racks: 5 });
    await post(`/api/v1/server-rooms/${closing.id}/transitions`, { to: 'closure-planned' }).expect(200);
    await room(mzj.id, { racks: 20 });
    await close(a.id, '2025-06-30');
    await close(b.id, '2026-12-31');
  });
  afterAll(() => t.close());

  const report = async (year: number, format = 'json') =>
    t
      .http()
      .get(`/api/v1/reports/server-rooms?year=${year}&format=${format}&departmentId=${city.id}`)
      .set(bearer(tokens.finance));
  const rowOf = (body: { rows: Array<{ departmentId: string }> }, id: string) =>
    body.rows.find((r) => r.departmentId === id);

  it('counts rooms per department rolled up, racks and kW freed, O&M avoided in the year', async () => {
    const y2026 = (await report(2026)).body;
    expect(rowOf(y2026, gaj.id)).toMatchObject({
      rooms: 3,
      closed: 2,
      retained: 1,
      closing: 0,
      racksFreed: 12,
      kwFreed: 42.5,
      omAvoided: '100000.10',
    });
    expect(rowOf(y2026, unit.id)).toMatchObject({ rooms: 1, closed: 1, omAvoided: '0.00' });
    expect(rowOf(y2026, mzj.id)).toMatchObject({ rooms: 2, closed: 0, closing: 1 });
    expect(y2026.totals).toMatchObject({
      rooms: 5,
      closed: 2,
      closing: 1,
      retained: 1,
      omAvoided: '100000.10',
    });
    expect(y2026.budgetStopsNextYear).toEqual([
      expect.objectContaining({
        room: expect.any(String),
        closedOn: '2026-12-31',
        budgetStopsOn: '2027-01-01',
        annualOmCost: '50000.05',
      }),
    ]);
    expect(y2026.leases.map((l: { provider: string; action: string }) => [l.provider, l.action])).toEqual([
      ['中国联通', 'adjust'],
      ['中国电信', 'run-to-end'],
    ]);
    const y2027 = (await report(2027)).body;
    expect(y2027.totals.omAvoided).toBe('150000.15');
    expect(y2027.budgetStopsNextYear).toEqual([]);
    const y2025 = (await report(2025)).body;
    expect(rowOf(y2025, gaj.id)).toMatchObject({ closed: 1, racksFreed: 8, omAvoided: '0.00', closing: 1 });
    expect(y2025.budgetStopsNextYear.map((r: { budgetStopsOn: string }) => r.budgetStopsOn)).toEqual([
      '2026-01-01',
    ]);
  });

  it('answers CSV and XLSX with Chinese headers', async () => {
    const csv = await report(2027, 'csv');
    expect(csv.status).toBe(200);
    const lines = csv.text.replace(/^\uFEFF/, '').split(/\r?\n/);
    expect(lines[0]).toBe('单位,编码,机房总数,已关停,关停中,保留,腾退机柜,腾退IT功率(kW),节省年运维费(元)');
    expect(lines.find((l) => l.startsWith('合计'))).toContain('150000.15');
    const xlsx = await t
      .http()
      .get(`/api/v1/reports/server-rooms?year=2027&format=xlsx&departmentId=${city.id}`)
      .set(bearer(tokens.auditor))
      .buffer(true)
      .parse(binary);
    expect(xlsx.status).toBe(200);
    expect(xlsx.body.subarray(0, 2).toString()).toBe('PK');
  });

  it('renders a PDF whose text pdftotext extracts, Chinese department names included', async () => {
    const res = await t
      .http()
      .get(`/api/v1/reports/server-rooms?year=2026&format=pdf&departmentId=${city.id}`)
      .set(bearer(tokens.operator))
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rooms-')), 'report.pdf');
    writeFileSync(file, res.body);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    for (const name of ['机房关停报告', '市公安局', '市公安局信息中心', '市民政局', '中国联通', '2027-01-01'])
      expect(text).toContain(name);
  });

  it('scopes a dept-admin to its subtree', async () => {
    const admin = await t.world.token('dept-admin', gaj.id);
    const own = (await t.http().get('/api/v1/reports/server-rooms?year=2026').set(bearer(admin)).expect(200))
      .body;
    expect(own.rows.map((r: { departmentId: string }) => r.departmentId)).toEqual([gaj.id, unit.id]);
    await t.http().get(`/api/v1/reports/server-rooms?departmentId=${mzj.id}`).set(bearer(admin)).expect(404);
    await t.http().get('/api/v1/reports/server-rooms?year=1999').set(bearer(admin)).expect(400);
  });
});
