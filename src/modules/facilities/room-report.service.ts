import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource } from 'typeorm';
import { pdfReport } from '../../common/pdf-report.js';
import { writeSheet, type SheetColumn, type SheetFormat } from '../../common/spreadsheet.js';
import { AppConfig } from '../../config/config.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { cjkFont } from '../../common/cjk-font.js';
import { roomBudgetInYear } from './room-budget.js';
import { budgetStopsOn, leaseAction } from './room-status.js';
import { annualOmCost } from './rooms.service.js';

interface Tally {
  rooms: number;
  closed: number;
  closing: number;
  retained: number;
  racksFreed: number;
  kwFreed: number;
  omAvoided: Decimal;
}

export interface RoomReportRow {
  departmentId: string;
  code: string;
  name: string;
  depth: number;
  rooms: number;
  closed: number;
  closing: number;
  retained: number;
  racksFreed: number;
  kwFreed: number;
  /** CNY: the annual O&M of rooms whose budget is zero in the year. */
  omAvoided: string;
}

export interface RoomReport {
  year: number;
  rows: RoomReportRow[];
  totals: Omit<RoomReportRow, 'departmentId' | 'code' | 'name' | 'depth'>;
  budgetStopsNextYear: Array<{
    roomId: string;
    room: string;
    department: string;
    closedOn: string;
    budgetStopsOn: string;
    annualOmCost: string;
  }>;
  leases: Array<{
    leaseId: string;
    room: string;
    department: string;
    roomStatus: string;
    provider: string;
    bandwidthMbps: number;
    monthlyFee: string;
    contractStart: string;
    contractEnd: string;
    action: 'run-to-end' | 'adjust';
  }>;
}

const empty = (): Tally => ({
  rooms: 0,
  closed: 0,
  closing: 0,
  retained: 0,
  racksFreed: 0,
  kwFreed: 0,
  omAvoided: new Decimal(0),
});
const out = (t: Tally) => ({
  ...t,
  kwFreed: Number(t.kwFreed.toFixed(2)),
  omAvoided: t.omAvoided.toFixed(2),
});

const COLUMNS: Array<Pick<SheetColumn<RoomReportRow>, 'key' | 'header' | 'format'>> = [
  { key: 'department', header: '单位', format: (r) => `${'\u3000'.repeat(r.depth)}${r.name}` },
  { key: 'code', header: '编码', format: (r) => r.code },
  { key: 'rooms', header: '机房总数', format: (r) => r.rooms },
  { key: 'closed', header: '已关停', format: (r) => r.closed },
  { key: 'closing', header: '关停中', format: (r) => r.closing },
  { key: 'retained', header: '保留', format: (r) => r.retained },
  { key: 'racksFreed', header: '腾退机柜', format: (r) => r.racksFreed },
  { key: 'kwFreed', header: '腾退IT功率(kW)', format: (r) => r.kwFreed },
  { key: 'omAvoided', header: '节省年运维费(元)', format: (r) => r.omAvoided },
];

/**
 * The shutdown report finance relies on, for a fiscal year Y: rooms closed by the end of Y, closing and
 * retained now; racks and kW freed by the closed rooms; the O&M avoided in Y (rooms closed before Y,
 * whose budget is zero all year); the rooms closed during Y, whose budget stops on 1 January Y+1; and
 * the leases of rooms being closed, to run to their end or adjust.
 */
@Injectable()
export class RoomReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly config: AppConfig,
  ) {}

  async report(principal: Principal, year: number, departmentId?: string): Promise<RoomReport> {
    const prefix = departmentId
      ? (await this.scope.visible(principal, departmentId)).path
      : await this.scope.pathPrefix(principal);
    const departments: Array<{ id: string; code: string; name: string; path: string }> =
      await this.dataSource.query(
        `SELECT id, code, name, path FROM departments WHERE ($1::text IS NULL OR path LIKE $1 || '%') ORDER BY path`,
        [prefix],
      );
    const rooms: Array<{
      id: string;
      name: string;
      department_id: string;
      department: string;
      status: string;
      closed_on: string | null;
      racks: number;
      it_power_kw: number;
      cost_electricity: string;
      cost_maintenance: string;
      cost_staff: string;
      cost_network: string;
      cost_other: string;
    }> = await this.dataSource.query(
      `SELECT r.id, r.name, r.department_id, d.name AS department, r.status, to_char(r.closed_on, 'YYYY-MM-DD') AS closed_on,
              r.racks, r.it_power_kw, r.cost_electricity, r.cost_maintenance, r.cost_staff, r.cost_network, r.cost_other
       FROM server_rooms r JOIN departments d ON d.id = r.department_id
       WHERE ($1::text IS NULL OR d.path LIKE $1 || '%') ORDER BY d.path, r.name`,
      [prefix],
    );
    const yearStart = `${year}-01-01`;
    const yearEnd = `${year}-12-31`;
    const own = new Map(departments.map((d) => [d.id, empty()]));
    const budgetStopsNextYear: RoomReport['budgetStopsNextYear'] = [];
    for (const r of rooms) {
      const t = own.get(r.department_id);
      if (!t) continue;
      const om = annualOmCost({
        costElectricity: r.cost_electricity,
        costMaintenance: r.cost_maintenance,
        costStaff: r.cost_staff,
        costNetwork: r.cost_network,
        costOther: r.cost_other,
      });
      t.rooms += 1;
      const closedBy = r.status === 'closed' && r.closed_on !== null && r.closed_on <= yearEnd;
      if (closedBy) {
        t.closed += 1;
        t.racksFreed += r.racks;
        t.kwFreed += r.it_power_kw;
        t.omAvoided = t.omAvoided.plus(
          roomBudgetInYear({ annualOm: om, closedOn: r.closed_on, leases: [] }, year).stopped,
        );
        if (r.closed_on! >= yearStart)
          budgetStopsNextYear.push({
            roomId: r.id,
            room: r.name,
            department: r.department,
            closedOn: r.closed_on!,
            budgetStopsOn: budgetStopsOn(r.closed_on!),
            annualOmCost: om.toFixed(2),
          });
      } else if (r.status === 'closure-planned' || r.status === 'closing' || r.status === 'closed')
        t.closing += 1;
      else if (r.status === 'retained') t.retained += 1;
    }
    const rolled = new Map(departments.map((d) => [d.id, empty()]));
    const totals = empty();
    for (const d of departments) {
      const mine = own.get(d.id)!;
      for (const into of [
        totals,
        ...d.path
          .split('/')
          .filter(Boolean)
          .map((id) => rolled.get(id)),
      ]) {
        if (!into) continue;
        into.rooms += mine.rooms;
        into.closed += mine.closed;
        into.closing += mine.closing;
        into.retained += mine.retained;
        into.racksFreed += mine.racksFreed;
        into.kwFreed += mine.kwFreed;
        into.omAvoided = into.omAvoided.plus(mine.omAvoided);
      }
    }
    const rootDepth = departments.length ? departments[0].path.split('/').filter(Boolean).length : 0;
    const leases: Array<Omit<RoomReport['leases'][number], 'action'>> = await this.dataSource.query(
      `SELECT l.id AS "leaseId", r.name AS room, d.name AS department, r.status AS "roomStatus", l.provider,
              l.bandwidth_mbps AS "bandwidthMbps", l.monthly_fee AS "monthlyFee",
              to_char(l.contract_start, 'YYYY-MM-DD') AS "contractStart", to_char(l.contract_end, 'YYYY-MM-DD') AS "contractEnd"
       FROM network_leases l JOIN server_rooms r ON r.id = l.room_id JOIN departments d ON d.id = r.department_id
       WHERE r.status IN ('closure-planned', 'closing', 'closed') AND ($1::text IS NULL OR d.path LIKE $1 || '%')
         AND l.contract_end >= $2::date
       ORDER BY d.path, r.name, l.contract_start`,
      [prefix, yearStart],
    );
    return {
      year,
      rows: departments.map((d) => ({
        departmentId: d.id,
        code: d.code,
        name: d.name,
        depth: d.path.split('/').filter(Boolean).length - rootDepth,
        ...out(rolled.get(d.id)!),
      })),
      totals: out(totals),
      budgetStopsNextYear,
      leases: leases.map((l) => ({ ...l, action: leaseAction(l.contractStart, l.contractEnd) })),
    };
  }

  async sheet(
    principal: Principal,
    year: number,
    format: SheetFormat,
    departmentId?: string,
  ): Promise<Buffer> {
    const report = await this.report(principal, year, departmentId);
    const total = { ...report.totals, name: '合计 Total', code: '', depth: 0 } as RoomReportRow;
    return writeSheet(`机房关停 ${year}`, COLUMNS, [...report.rows, total], format);
  }

  /** The same report as a PDF with an embedded CJK font, so Chinese renders and pdftotext finds it. */
  async pdf(principal: Principal, year: number, departmentId?: string): Promise<Buffer> {
    const report = await this.report(principal, year, departmentId);
    const { doc, row, end } = pdfReport(
      cjkFont(this.config),
      `机房关停报告 Server-room shutdown report ${year}`,
    );
    doc.moveDown(0.5).fontSize(9).text(`生成时间 Generated ${new Date().toISOString()}`);
    doc.moveDown();
    const widths = [150, 40, 40, 40, 40, 50, 60, 90];
    const line = (cells: Array<string | number>) => row(widths, cells);
    doc.fontSize(9);
    line(['单位', '机房', '已关停', '关停中', '保留', '腾退机柜', '腾退kW', '节省运维费(元)']);
    for (const r of [...report.rows, { ...report.totals, name: '合计 Total', depth: 0 }])
      line([
        `${'  '.repeat(r.depth)}${r.name}`,
        r.rooms,
        r.closed,
        r.closing,
        r.retained,
        r.racksFreed,
        r.kwFreed,
        r.omAvoided,
      ]);
    doc
      .moveDown()
      .fontSize(12)
      .text(`${year + 1}年起停止拨付运维费的机房 Rooms whose budget stops on ${year + 1}-01-01`);
    doc.fontSize(9);
    if (report.budgetStopsNextYear.length === 0) doc.text('无 none');
    for (const r of report.budgetStopsNextYear)
      doc.text(`${r.department} · ${r.room} · 关停 ${r.closedOn} · 年运维费 ${r.annualOmCost} 元`);
    doc.moveDown().fontSize(12).text('需调整或到期终止的线路租约 Leases to adjust or run to their end');
    doc.fontSize(9);
    if (report.leases.length === 0) doc.text('无 none');
    for (const l of report.leases)
      doc.text(
        `${l.department} · ${l.room} · ${l.provider} ${l.bandwidthMbps}Mbps · 月费 ${l.monthlyFee} 元 · ${l.contractStart}–${l.contractEnd} · ${l.action === 'adjust' ? '调整 adjust' : '到期终止 run to end'}`,
      );
    return end();
  }
}
