import ExcelJS from 'exceljs';
import { PassThrough, Readable } from 'node:stream';
import { pdfReport } from '../../common/pdf-report.js';
import { csvField } from '../../common/spreadsheet.js';
import type { RebillRun } from './entities/rebill.entity.js';
import type { DepartmentTotal, LineRow } from './views.js';

/** Headers in Chinese first, English second; the columns of CSV and XLSX are the same. */
const COLUMNS: Array<[keyof LineRow | 'departmentCode', string]> = [
  ['key', '行键 key'],
  ['kind', '类型 kind'],
  ['month', '用量月份 month'],
  ['departmentCode', '部门编码 department code'],
  ['departmentName', '部门 department'],
  ['resourceId', '资源 ID resource id'],
  ['resourceName', '资源名称 resource name'],
  ['poolId', '资源池 ID pool id'],
  ['poolName', '资源池名称 pool name'],
  ['dimension', '计费项 dimension'],
  ['tier', '存储等级 tier'],
  ['rateCardId', '价目表 rate card'],
  ['unit', '单位 unit'],
  ['quantity', '数量 quantity'],
  ['unitPrice', '单价 unit price (CNY)'],
  ['amount', '金额 amount (CNY)'],
  ['adjustsRunId', '更正的账单 adjusts rebill'],
  ['adjustsLineId', '更正的行 adjusts line'],
];

export interface ExportInput {
  run: RebillRun;
  /** Run total, or a dept-admin's subtree total. */
  total: string;
  departments: DepartmentTotal[];
  lines: AsyncIterable<LineRow[]>;
}

const csvCell = (value: unknown) => csvField(value === null || value === undefined ? '' : String(value));

/**
 * CSV with a BOM (Excel opens it as UTF-8), lines in department and key order and a total row. Nothing in it depends on
 * when it was produced or on generated ids of usage lines, so recomputing a draft from the same events
 * gives the same bytes.
 */
export function rebillCsv(input: ExportInput): Readable {
  async function* rows(): AsyncGenerator<string> {
    yield `\uFEFF${COLUMNS.map(([, header]) => header).join(',')}\n`;
    for await (const page of input.lines)
      yield page.map((line) => COLUMNS.map(([field]) => csvCell(line[field])).join(',')).join('\n') + '\n';
    yield (
      COLUMNS.map(([field]) => (field === 'key' ? '合计 total' : field === 'amount' ? input.total : '')).join(
        ',',
      ) + '\n'
    );
  }
  return Readable.from(rows());
}

/** XLSX, streamed: a department sheet (own and subtree totals) and a line sheet. Money cells are text: exact. */
export function rebillXlsx(input: ExportInput): Readable {
  const out = new PassThrough();
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: true,
  });
  void (async () => {
    const summary = book.addWorksheet('部门 departments');
    summary.addRow(['部门编码 code', '部门 department', '本级 own (CNY)', '含下级 subtree (CNY)']).commit();
    for (const d of input.departments) summary.addRow([d.code, d.name, d.own, d.subtree]).commit();
    summary.addRow(['合计 total', '', '', input.total]).commit();
    summary.commit();
    const sheet = book.addWorksheet('明细 lines');
    sheet.addRow(COLUMNS.map(([, header]) => header)).commit();
    for await (const page of input.lines)
      for (const line of page) sheet.addRow(COLUMNS.map(([field]) => line[field] ?? '')).commit();
    sheet.commit();
    await book.commit();
  })().catch((error: unknown) => out.destroy(error as Error));
  return out;
}

/** PDF for reading and signing: the run, its total and the department table; the lines are in CSV/XLSX. */
export function rebillPdf(input: ExportInput, font: { path: string; family?: string }): Promise<Buffer> {
  const { doc, end } = pdfReport(font, `政务云费用分摊 Government cloud rebill ${input.run.period}`);
  doc
    .fontSize(10)
    .text(`状态 state: ${input.run.state}`)
    .text(`计量截至 metered until: ${input.run.computedUntil.toISOString()}`)
    .text(`合计 total: ${input.total} CNY`)
    .moveDown();
  doc.fontSize(9);
  for (const d of input.departments)
    doc.text(`${d.code}  ${d.name}    本级 own ${d.own}    含下级 subtree ${d.subtree}`);
  return end();
}
