import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Dec, sum } from '../../src/modules/billing/money.js';
import type { Department } from '../../src/modules/tenancy/entities/department.entity.js';
import { BillingWorld } from '../support/billing.js';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';
import { aRoom } from '../support/inventory.js';

const binary = (res: any, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const FIGURES = [
  'rebillChargeback',
  'rebillShowback',
  'rebill',
  'omBudget',
  'omStopped',
  'leaseCarryover',
  'savings',
  'net',
] as const;
type Figures = Record<(typeof FIGURES)[number], string>;
interface Row {
  departmentId: string;
  own: Figures;
  subtree: Figures;
}

describe('net fiscal effect report', () => {
  let t: TestApp;
  let b: BillingWorld;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;
  let city: Department;
  let gaj: Department;
  let unit: Department;
  let mzj: Department;
  const get = (p: string, token = tokens.finance) => t.http().get(p).set(bearer(token));
  const post = (p: string, body: object, token = tokens.operator) =>
    t.http().post(p).set(bearer(token)).send(body);
  const room = async (departmentId: string, om: string) =>
    (
      await post(
        '/api/v1/server-rooms',
        aRoom(departmentId, {
          costElectricity: om,
          costMaintenance: '0',
          costStaff: '0',
          costNetwork: '0',
          costOther: '0',
        }),
      ).expect(201)
    ).body.id as string;
  const lease = (roomId: string, monthlyFee: string, contractStart: string, contractEnd: string) =>
    post(`/api/v1/server-rooms/${roomId}/leases`, {
      provider: '中国电信',
      bandwidthMbps: 100,
      monthlyFee,
      contractStart,
      contractEnd,
    }).expect(201);
  const close = async (id: string, closedOn: string) => {
    await post(`/api/v1/server-rooms/${id}/transitions`, { to: 'closure-planned' }).expect(200);
    await post(`/api/v1/server-rooms/${id}/transitions`, { to: 'closing' }).expect(200);
    await post(`/api/v1/server-rooms/${id}/close`, { closedOn }).expect(200);
  };
  const report = async (year: number, token = tokens.finance) =>
    (await get(`/api/v1/reports/fiscal-effect?year=${year}&departmentId=${city.id}`, token).expect(200)).body;
  const rowOf = (body: { rows: Row[] }, id: string) => body.rows.find((r) => r.departmentId === id)!;

  // A city with 市公安局 (a unit under it) and 市民政局, in 2003 (a year no other test bills):
  // - 市公安局: 1 vCPU at 0.5 CNY/h, running 1 March – 1 May: March 744 h = 372.00 (finalised run),
  //   April 720 h = 360.00 (draft run). Its room (O&M 120,000.00) closes 30 June 2003, with a lease of
  //   1,500.00 a month to 15 March 2004.
  // - its unit: 2 vCPU for 10 days of March: 480 h = 240.00 (finalised). Its room (O&M 50,000.05) closed
  //   31 March 2002, so its budget stops on 1 January 2003; its lease of 800.00 a month runs to 31 August
  //   2003: eight months in 2003.
  // - 市民政局: an active room (O&M 30,000.00), no cloud use.
  beforeAll(async () => {
    t = await startApp();
    b = new BillingWorld(t.dataSource);
    const tree = await t.world.city();
    city = await t.world.department('city', undefined, { name: '财政示范市' });
    gaj = await t.world.department('department', city, { name: '市公安局' });
    unit = await t.world.department('unit', gaj, { name: '市公安局信息中心' });
    mzj = await t.world.department('department', city, { name: '市民政局' });
    tokens = await t.world.tokens(gaj.id, tree.other.id);
    const pool = await b.pool();
    await b.card(pool, '2001-01-01', { vcpuHour: '0.5' });
    const cpu = (vcpu: number) => ({ vcpu, memoryGiB: 0, storageGiB: 0 });
    await b.resource(gaj.id, pool, cpu(1), [
      ['running', '2003-03-01T00:00:00Z'],
      ['stopped', '2003-05-01T00:00:00Z'],
    ]);
    await b.resource(unit.id, pool, cpu(2), [
      ['running', '2003-03-01T00:00:00Z'],
      ['stopped', '2003-03-11T00:00:00Z'],
    ]);
    const march = (await post('/api/v1/rebills', { period: '2003-03' }, tokens.finance).expect(201)).body;
    await post(`/api/v1/rebills/${march.id}/finalize`, {}, tokens.finance).expect(200);
    await post('/api/v1/rebills', { period: '2003-04' }, tokens.finance).expect(201);

    const a = await room(gaj.id, '120000.00');
    await lease(a, '1500.00', '2002-01-01', '2004-03-15');
    const u = await room(unit.id, '50000.05');
    await lease(u, '800.00', '2001-01-01', '2003-08-31');
    await room(mzj.id, '30000.00');
    await close(u, '2002-03-31');
    await close(a, '2003-06-30');
  });
  afterAll(() => t.close());

  it('weighs the rebill against the rooms’ O&M budget, by hand', async () => {
    const y2003 = await report(2003);
    expect(y2003.months.map((m: { source: string }) => m.source)).toEqual([
      'live',
      'live',
      'finalized',
      'draft',
      ...Array(8).fill('live'),
    ]);
    expect(rowOf(y2003, gaj.id).own).toEqual({
      rebillChargeback: '372.00',
      rebillShowback: '360.00',
      rebill: '732.00',
      omBudget: '120000.00', // closed mid-year: the whole year's budget is still drawn
      omStopped: '0.00',
      leaseCarryover: '0.00',
      savings: '0.00',
      net: '-732.00',
    });
    expect(rowOf(y2003, unit.id).own).toEqual({
      rebillChargeback: '240.00',
      rebillShowback: '0.00',
      rebill: '240.00',
      omBudget: '6400.00',
      omStopped: '50000.05',
      leaseCarryover: '6400.00',
      savings: '43600.05',
      net: '43360.05',
    });
    const whole = {
      rebillChargeback: '612.00',
      rebillShowback: '360.00',
      rebill: '972.00',
      omBudget: '156400.00',
      omStopped: '50000.05',
      leaseCarryover: '6400.00',
      savings: '43600.05',
      net: '42628.05',
    };
    expect(rowOf(y2003, gaj.id).subtree).toEqual({ ...whole, omBudget: '126400.00' });
    expect(rowOf(y2003, mzj.id).subtree).toMatchObject({ omBudget: '30000.00', net: '0.00' });
    expect(rowOf(y2003, city.id).subtree).toEqual(whole);
    expect(y2003.totals).toEqual(whole);

    // 2004: the room closed in 2003 stops drawing; its lease still costs January to March.
    const y2004 = await report(2004);
    expect(y2004.months.every((m: { source: string }) => m.source === 'live')).toBe(true);
    expect(rowOf(y2004, gaj.id).own).toMatchObject({
      rebill: '0.00',
      omBudget: '4500.00',
      omStopped: '120000.00',
      leaseCarryover: '4500.00',
      savings: '115500.00',
      net: '115500.00',
    });
    expect(rowOf(y2004, unit.id).own).toMatchObject({ omBudget: '0.00', savings: '50000.05' });
    expect(y2004.totals.net).toBe('165500.05');
  });

  it('exports CSV, XLSX and PDF with Chinese headers and the months’ basis', async () => {
    const csv = await get(
      `/api/v1/reports/fiscal-effect?year=2003&departmentId=${city.id}&format=csv`,
    ).expect(200);
    const lines = csv.text.replace(/^\uFEFF/, '').split(/\r?\n/);
    expect(lines[0]).toBe(
      '单位(含下级),编码,云服务费·已结算(元),云服务费·未结算(元),云服务费合计(元),机房运维预算(元),停拨运维费(元),其中续付线路租费(元),关停节省(元),净财政效果(元)',
    );
    expect(lines[1]).toBe(
      'department,code,rebillChargeback,rebillShowback,rebill,omBudget,omStopped,leaseCarryover,savings,net',
    );
    expect(lines.find((l) => l.startsWith('合计'))).toBe(
      '合计 Total,,612.00,360.00,972.00,156400.00,50000.05,6400.00,43600.05,42628.05',
    );
    expect(csv.text).toContain(
      '01–02 实时计量 metered live; 03 已结算 finalized; 04 草稿 draft; 05–12 实时计量',
    );

    const xlsx = await get(
      `/api/v1/reports/fiscal-effect?year=2003&departmentId=${city.id}&format=xlsx`,
      tokens.auditor,
    )
      .buffer(true)
      .parse(binary)
      .expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body);
    const sheet = book.worksheets[0];
    expect(sheet.getCell(1, 10).value).toBe('净财政效果(元)');
    expect(sheet.getCell(3, 1).value).toBe('财政示范市');
    expect(sheet.getCell(3, 10).value).toBe('42628.05');

    const pdf = await get(
      `/api/v1/reports/fiscal-effect?year=2003&departmentId=${city.id}&format=pdf`,
      tokens.operator,
    )
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'fiscal-')), 'report.pdf');
    writeFileSync(file, pdf.body);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    for (const words of [
      '净财政效果',
      '市公安局信息中心',
      '市民政局',
      '42628.05',
      '03 已结算 finalized',
      '2003-01-01',
    ])
      expect(text).toContain(words);
  });

  it('scopes a dept-admin to its subtree and names bad input', async () => {
    const own = (await get('/api/v1/reports/fiscal-effect?year=2003', tokens.deptAdmin).expect(200)).body;
    expect(own.rows.map((r: Row) => r.departmentId)).toEqual([gaj.id, unit.id]);
    expect(own.totals.net).toBe('42628.05');
    expect(own.rooms).toHaveLength(2);
    await get(`/api/v1/reports/fiscal-effect?year=2003&departmentId=${mzj.id}`, tokens.deptAdmin).expect(404);
    const bad = await get('/api/v1/reports/fiscal-effect?year=1987').expect(400);
    expect(bad.body.message).toMatch(/^year/);
    await get('/api/v1/reports/fiscal-effect?year=2003&format=docx').expect(400);
    await get('/api/v1/reports/fiscal-effect?departmentId=nope').expect(400);
  });

  it('adds up: a department’s figures are the sums of its rooms and lines; a subtree, of its children', async () => {
    const cents = fc.integer({ min: 0, max: 99_999_999 }).map((c) => new Dec(c).div(100).toFixed(2));
    const day = fc
      .date({
        min: new Date('2003-01-01T00:00:00Z'),
        max: new Date('2011-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    const caseArb = fc.record({
      year: fc.integer({ min: 2005, max: 2009 }),
      rooms: fc.array(
        fc.record({
          dept: fc.integer({ min: 0, max: 4 }),
          om: fc.array(cents, { minLength: 5, maxLength: 5 }),
          closedOn: fc.option(day),
          leases: fc.array(fc.record({ fee: cents, a: day, b: day }), { maxLength: 2 }),
        }),
        { maxLength: 6 },
      ),
      lines: fc.array(
        fc.record({ dept: fc.integer({ min: 0, max: 4 }), amount: cents, final: fc.boolean() }),
        {
          maxLength: 8,
        },
      ),
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ year, rooms, lines }) => {
        // A fresh tree per case: top, two departments, a unit under the first, one under the unit.
        const top = await t.world.department('city');
        const d1 = await t.world.department('department', top);
        const u1 = await t.world.department('unit', d1);
        const depts = [
          top,
          d1,
          await t.world.department('department', top),
          u1,
          await t.world.department('unit', u1),
        ];
        for (const r of rooms) {
          const [id] = await t.dataSource.query(
            `INSERT INTO server_rooms (department_id, name, cost_electricity, cost_maintenance, cost_staff, cost_network,
                                       cost_other, status, closed_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
            [depts[r.dept].id, unique('机房'), ...r.om, r.closedOn ? 'closed' : 'active', r.closedOn],
          );
          for (const l of r.leases)
            await t.dataSource.query(
              `INSERT INTO network_leases (room_id, provider, bandwidth_mbps, monthly_fee, contract_start, contract_end)
               VALUES ($1, '中国移动', 50, $2, $3, $4)`,
              [id.id, l.fee, l.a < l.b ? l.a : l.b, l.a < l.b ? l.b : l.a],
            );
        }
        // Lines of a finalised and a draft run in months of their own (runs are one per period).
        const runs: Record<string, string> = {};
        for (const final of [true, false]) {
          const period = `${year}-${String((n++ % 6) * 2 + (final ? 1 : 2)).padStart(2, '0')}`;
          const lineSet = randomUUID();
          await t.dataSource.query('INSERT INTO rebill_line_sets (id, period) VALUES ($1, $2)', [
            lineSet,
            period,
          ]);
          await t.dataSource.query(
            `INSERT INTO rebill_runs (period, state, computed_until, computed_at, total, line_count, line_set_id)
             VALUES ($1, $2, now(), now(), 0, 0, $3) ON CONFLICT (period) DO NOTHING`,
            [period, final ? 'finalized' : 'draft', lineSet],
          );
          const [run] = await t.dataSource.query(
            'SELECT id, state, line_set_id FROM rebill_runs WHERE period = $1',
            [period],
          );
          runs[String(final)] = run.line_set_id;
          expect(run.state).toBe(final ? 'finalized' : 'draft');
        }
        await t.dataSource.transaction(async (m) => {
          // Loaded as history, the way a restore loads it: the database refuses new lines in a finalised
          // run's set, and the finalised run of a period is shared by the property's runs.
          await m.query('SET LOCAL session_replication_role = replica');
          for (const l of lines)
            await m.query(
              `INSERT INTO rebill_lines (line_set_id, key, kind, month, department_id, resource_id, pool_id, dimension, rate_card_id,
                                         unit, usage_ms, quantity, unit_price, amount)
               VALUES ($1, $2, 'usage', '${year}-01', $3, $4, $4, 'vcpu', $4, 'vCPU·h', 0, 0, 0, $5)`,
              [runs[String(l.final)], randomUUID(), depts[l.dept].id, randomUUID(), l.amount],
            );
        });

        const body = (
          await get(`/api/v1/reports/fiscal-effect?year=${year}&departmentId=${top.id}`).expect(200)
        ).body;
        const rows = new Map<string, Row>(body.rows.map((r: Row) => [r.departmentId, r]));
        expect([...rows.keys()]).toEqual(expect.arrayContaining(depts.map((d) => d.id)));
        const amount = (values: string[]) => sum(values.map((v) => new Dec(v))).toFixed(2);
        for (const d of depts) {
          const own = rows.get(d.id)!.own;
          const mine = body.rooms.filter((r: { departmentId: string }) => r.departmentId === d.id);
          for (const key of ['omBudget', 'omStopped', 'leaseCarryover'] as const)
            expect(own[key]).toBe(amount(mine.map((r: Record<string, string>) => r[key])));
          const linesOf = (final: boolean) =>
            amount(lines.filter((l) => depts[l.dept] === d && l.final === final).map((l) => l.amount));
          // Other cases' runs share the year; this tree's lines are only its own.
          expect(own.rebillChargeback).toBe(linesOf(true));
          expect(own.rebillShowback).toBe(linesOf(false));
          for (const f of [own, rows.get(d.id)!.subtree]) {
            expect(f.savings).toBe(amount([f.omStopped, `-${f.leaseCarryover}`]));
            expect(f.net).toBe(amount([f.savings, `-${f.rebill}`]));
          }
          const children = depts.filter((c) => c.parentId === d.id).map((c) => rows.get(c.id)!.subtree);
          for (const key of FIGURES)
            expect(rows.get(d.id)!.subtree[key]).toBe(amount([own[key], ...children.map((c) => c[key])]));
        }
        expect(body.totals).toEqual(rows.get(top.id)!.subtree);
        for (const r of body.rooms) {
          // A room's budget is drawn all year or stopped all year; once stopped, only its leases draw.
          const stopped = r.budgetStopsOn !== null && r.budgetStopsOn <= `${year}-01-01`;
          expect([r.omBudget, r.omStopped]).toEqual(
            stopped ? [r.leaseCarryover, r.annualOmCost] : [r.annualOmCost, '0.00'],
          );
        }
      }),
      { numRuns: 25 },
    );
  });
});
