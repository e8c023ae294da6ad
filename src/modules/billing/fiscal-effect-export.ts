import { pdfReport } from '../../common/pdf-report.js';
import { writeSheet, type SheetColumn, type SheetFormat } from '../../common/spreadsheet.js';
import type { FiscalEffectReport, FiscalEffectRow, FiscalFigures, MonthSource } from './views.js';

/** The figures as columns, Chinese first; department rows show the department with its subtree. */
const FIGURES: Array<[keyof FiscalFigures, string]> = [
  ['rebillChargeback', '云服务费·已结算(元)'],
  ['rebillShowback', '云服务费·未结算(元)'],
  ['rebill', '云服务费合计(元)'],
  ['omBudget', '机房运维预算(元)'],
  ['omStopped', '停拨运维费(元)'],
  ['leaseCarryover', '其中续付线路租费(元)'],
  ['savings', '关停节省(元)'],
  ['net', '净财政效果(元)'],
];

type SheetRow = Pick<FiscalEffectRow, 'name' | 'code' | 'depth' | 'subtree'>;

const COLUMNS: Array<Pick<SheetColumn<SheetRow>, 'key' | 'header' | 'hint' | 'format'>> = [
  { key: 'department', header: '单位(含下级)', format: (r) => `${'\u3000'.repeat(r.depth)}${r.name}` },
  { key: 'code', header: '编码', format: (r) => r.code },
  ...FIGURES.map(([key, header]) => ({ key, header, format: (r: SheetRow) => r.subtree[key] })),
];

const SOURCES: Record<MonthSource, string> = {
  finalized: '已结算 finalized',
  draft: '草稿 draft',
  live: '实时计量 metered live',
  future: '未到 not begun',
};

/** Which months the rebill figures are built from, runs of equal months joined: "01–02 …; 03 …". */
export function monthsBasis(months: FiscalEffectReport['months']): string {
  const parts: string[] = [];
  for (let i = 0; i < months.length;) {
    let j = i;
    while (j + 1 < months.length && months[j + 1].source === months[i].source) j++;
    const span =
      i === j ? months[i].month.slice(5) : `${months[i].month.slice(5)}–${months[j].month.slice(5)}`;
    parts.push(`${span} ${SOURCES[months[i].source]}`);
    i = j + 1;
  }
  return parts.join('; ');
}

/** CSV or XLSX: a row per department (with its subtree), the total, and the months' basis. */
export function fiscalEffectSheet(report: FiscalEffectReport, format: SheetFormat): Promise<Buffer> {
  const total: SheetRow = { name: '合计 Total', code: '', depth: 0, subtree: report.totals };
  const basis: SheetRow = {
    name: `月份口径 months: ${monthsBasis(report.months)}`,
    code: '',
    depth: 0,
    subtree: Object.fromEntries(FIGURES.map(([key]) => [key, ''])) as unknown as FiscalFigures,
  };
  return writeSheet(`财政效果 ${report.year}`, COLUMNS, [...report.rows, total, basis], format);
}

/** The same report for reading and signing, with the months' basis and the rooms behind the O&M figures. */
export function fiscalEffectPdf(
  report: FiscalEffectReport,
  font: { path: string; family?: string },
): Promise<Buffer> {
  const { doc, row, end } = pdfReport(font, `净财政效果 Net fiscal effect ${report.year}`);
  doc.moveDown(0.5).fontSize(9);
  doc.text(`生成时间 Generated ${report.generatedAt.toISOString()}`);
  doc.text(`月份口径 months: ${monthsBasis(report.months)}`);
  doc.text(
    '净财政效果 = 停拨运维费 − 续付线路租费 − 云服务费 (net = O&M stopped − lease carryover − rebill)',
  );
  doc.moveDown();
  doc.fontSize(7);
  const widths = [110, ...FIGURES.map(() => 51)];
  row(widths, ['单位(含下级)', ...FIGURES.map(([, header]) => header.replace('(元)', ''))]);
  for (const r of [...report.rows, { name: '合计 Total', depth: 0, subtree: report.totals }])
    row(widths, [`${'  '.repeat(r.depth)}${r.name}`, ...FIGURES.map(([key]) => r.subtree[key])]);
  doc.moveDown().fontSize(12).text('机房 Server rooms (元 CNY)');
  doc.fontSize(8);
  if (report.rooms.length === 0) doc.text('无 none');
  for (const r of report.rooms)
    doc.text(
      `${r.department} · ${r.room} · ${r.status}${r.closedOn ? ` ${r.closedOn}，${r.budgetStopsOn} 起停拨` : ''} · ` +
        `年运维费 ${r.annualOmCost} · 本年预算 ${r.omBudget} · 停拨 ${r.omStopped} · 续付租费 ${r.leaseCarryover}`,
    );
  return end();
}
