import { StreamableFile } from '@nestjs/common';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { DomainError, ErrorCode, invalid } from './errors.js';

/**
 * Spreadsheets in and out (XLSX and CSV), for every inventory that departments send as a file.
 * Row 1 holds the Chinese headers, row 2 the English ones (the template and exports write both; an
 * import accepts either or both, in any column order). Parsing is exceljs's; this file only maps
 * cells to fields and collects every error before anything is written.
 */

export interface SheetError {
  /** The spreadsheet's own row number (1 is the header), as Excel shows it. */
  row: number;
  /** The column's English key, e.g. hostname. */
  column: string;
  message: string;
}

export interface SheetColumn<T> {
  key: string;
  header: string;
  /** What a cell holds, in the template's note row: e.g. 涉密 / 非涉密. */
  hint?: string;
  required?: boolean;
  /** Parses a trimmed cell ('' when empty) into a field value; throws CellError with a message. */
  parse(cell: string): unknown;
  /** The cell an export writes for an object. */
  format(value: T): string | number | null;
}

export class CellError extends Error {}

export type SheetFormat = 'xlsx' | 'csv';
export type CsvEncoding = 'utf-8' | 'gb18030';

export interface ParsedRow {
  row: number;
  values: Record<string, unknown>;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A CSV with a BOM is UTF-8; one that is not valid UTF-8 is GB18030, which Chinese Excel writes. */
export function decodeCsv(buffer: Buffer, encoding?: CsvEncoding): string {
  if (buffer.subarray(0, 3).equals(UTF8_BOM)) return buffer.subarray(3).toString('utf8');
  if (encoding) return iconv.decode(buffer, encoding);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return iconv.decode(buffer, 'gb18030');
  }
}

async function loadWorksheet(buffer: Buffer, encoding?: CsvEncoding): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  if (buffer.subarray(0, 4).equals(ZIP_MAGIC)) {
    try {
      await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    } catch {
      throw invalid('file', 'not a readable XLSX workbook');
    }
    const sheet = workbook.worksheets[0];
    if (!sheet) throw invalid('file', 'the workbook has no worksheet');
    return sheet;
  }
  // Every CSV cell stays text; the columns decide what it means.
  try {
    return await workbook.csv.read(Readable.from([decodeCsv(buffer, encoding)]), { map: (v: string) => v });
  } catch (error) {
    // A quote never closed, or more columns than a worksheet holds: the file's fault, as for an XLSX.
    throw invalid('file', `not a readable CSV: ${String((error as Error).message).slice(0, 200)}`);
  }
}

/**
 * A text a spreadsheet would run as a formula (it begins with = + - @, a tab or a carriage return) is
 * written with a leading ' (OWASP's advice against CSV injection: names are anyone's free text) and read
 * back without it. Numbers, negative ones among them, stay as they are.
 */
export const defuseFormula = (text: string): string =>
  /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
const undefuse = (text: string) => (/^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text);

/** One field of a CSV written by hand (streamed exports): defused, and quoted when it must be. */
export function csvField(text: string): string {
  const safe = defuseFormula(text);
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** C0 controls but tab, line feed and carriage return: PostgreSQL refuses NUL in text, unnamed. */
const hasControl = (text: string) =>
  [...text].some((ch) => ch < ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r');

/** The cell's text; a CellError for what no column can read: an Excel error (#N/A, #REF!…) or a control character. */
function cellText(cell: ExcelJS.Cell): string {
  const value = cell.value;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const result = value && typeof value === 'object' && 'result' in value ? value.result : value;
  if (result && typeof result === 'object' && 'error' in result)
    throw new CellError(`the cell holds the error ${String(result.error)}`);
  const text = (result !== value ? String(result ?? '') : (cell.text ?? '')).trim();
  if (hasControl(text)) throw new CellError('the cell holds a control character');
  return undefuse(text);
}

const norm = (text: string) => text.replace(/\s+/g, '').toLowerCase();

/**
 * Reads every row into field values, collecting every cell error (a bad cell leaves its key out, so
 * the caller can go on checking the row and report everything at once). Blank rows are skipped. An
 * unknown or missing column answers 422 at once: without the columns, no row can be read.
 */
export async function readSheet<T>(
  buffer: Buffer,
  columns: SheetColumn<T>[],
  encoding?: CsvEncoding,
): Promise<{ rows: ParsedRow[]; errors: SheetError[] }> {
  const sheet = await loadWorksheet(buffer, encoding);
  const byName = new Map<string, SheetColumn<T>>();
  for (const c of columns) {
    for (const name of [c.header, c.key, `${c.header}${c.key}`, `${c.header}(${c.key})`])
      byName.set(norm(name), c);
  }
  const errors: SheetError[] = [];
  const header = sheet.getRow(1);
  const at = new Map<number, SheetColumn<T>>();
  header.eachCell((cell, index) => {
    let text: string;
    try {
      text = cellText(cell);
    } catch {
      return; // an error in the header row names no column: a required one is reported missing below
    }
    if (!text) return;
    const column = byName.get(norm(text));
    if (column) at.set(index, column);
    else errors.push({ row: 1, column: text, message: `unknown column "${text}"` });
  });
  for (const c of columns)
    if (c.required && ![...at.values()].includes(c))
      errors.push({ row: 1, column: c.key, message: `missing column ${c.header} ${c.key}` });
  if (errors.length > 0) throw unprocessable(errors);

  const rows: ParsedRow[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const cells: Array<[SheetColumn<T>, string]> = [];
    const unreadable = new Set<SheetColumn<T>>();
    for (const [index, column] of at) {
      try {
        cells.push([column, cellText(sheet.getRow(r).getCell(index))]);
      } catch (error) {
        if (!(error instanceof CellError)) throw error;
        errors.push({ row: r, column: column.key, message: error.message });
        unreadable.add(column);
        cells.push([column, '']);
      }
    }
    if (unreadable.size === 0 && cells.every(([, text]) => text === '')) continue;
    // The second header row (English keys, or the template's notes) is not data.
    if (r === 2 && cells.filter(([, text]) => text !== '').every(([c, text]) => isHeaderCell(c, text)))
      continue;
    const values: Record<string, unknown> = {};
    for (const [column, text] of cells) {
      if (unreadable.has(column)) continue;
      if (text === '' && column.required) {
        errors.push({ row: r, column: column.key, message: `${column.header} ${column.key} is required` });
        continue;
      }
      try {
        values[column.key] = column.parse(text);
      } catch (error) {
        if (!(error instanceof CellError)) throw error;
        errors.push({ row: r, column: column.key, message: error.message });
      }
    }
    rows.push({ row: r, values });
  }
  return { rows, errors };
}

function isHeaderCell<T>(column: SheetColumn<T>, text: string): boolean {
  return norm(text) === norm(column.key) || (column.hint !== undefined && norm(text) === norm(column.hint));
}

export function unprocessable(errors: SheetError[]): DomainError {
  return new DomainError(
    ErrorCode.Unprocessable,
    `${errors.length} error(s) in the file; nothing was imported`,
    { errors },
  );
}

/** The template (no data) or an export: Chinese headers, English headers, then one row per object. */
export async function writeSheet<T>(
  name: string,
  columns: Array<Pick<SheetColumn<T>, 'key' | 'header' | 'hint' | 'format'>>,
  items: T[],
  format: SheetFormat,
  encoding: CsvEncoding = 'utf-8',
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(name);
  sheet.addRow(columns.map((c) => c.header));
  sheet.addRow(columns.map((c) => c.key));
  for (const item of items)
    sheet.addRow(
      columns.map((c) => {
        const value = c.format(item);
        // An XLSX string cell is never a formula; a CSV cell is whatever Excel makes of it.
        return format === 'csv' && typeof value === 'string' ? defuseFormula(value) : value;
      }),
    );
  if (format === 'xlsx') {
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(2).font = { italic: true, color: { argb: 'FF666666' } };
    columns.forEach((c, i) => {
      sheet.getColumn(i + 1).width = Math.max(12, c.header.length * 2 + 4);
      if (c.hint) sheet.getCell(1, i + 1).note = c.hint;
    });
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }
  const csv = Buffer.from(await workbook.csv.writeBuffer());
  // A BOM makes Excel read UTF-8; GB18030 is for older Chinese Excel, which ignores it.
  return encoding === 'gb18030'
    ? iconv.encode(csv.toString('utf8'), 'gb18030')
    : Buffer.concat([UTF8_BOM, csv]);
}

export const CONTENT_TYPES: Record<SheetFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
};

// ---- cell parsers shared by the inventories ----

export const text =
  (max: number) =>
  (cell: string): string | null => {
    if (cell.length > max) throw new CellError(`at most ${max} characters`);
    return cell === '' ? null : cell;
  };

export const int =
  (min: number, max: number, empty: number | null = 0) =>
  (cell: string): number | null => {
    if (cell === '') return empty;
    if (!/^-?\d+(\.0+)?$/.test(cell)) throw new CellError(`"${cell}" is not a whole number`);
    const value = Number.parseInt(cell, 10);
    if (value < min || value > max) throw new CellError(`${value} is not between ${min} and ${max}`);
    return value;
  };

/** A closed set, with the Chinese words people write; the export writes the first alias. */
export function choice<V extends string>(aliases: Record<V, readonly string[]>, empty?: V) {
  const lookup = new Map<string, V>();
  for (const [value, words] of Object.entries(aliases) as Array<[V, readonly string[]]>)
    for (const word of [value, ...words]) lookup.set(norm(word), value);
  return {
    parse(cell: string): V {
      if (cell === '' && empty !== undefined) return empty;
      const value = lookup.get(norm(cell));
      if (!value)
        throw new CellError(
          `"${cell}" is not one of ${Object.entries(aliases)
            .map(([v, w]) => `${(w as string[])[0] ?? v}/${v}`)
            .join(', ')}`,
        );
      return value;
    },
    format: (value: V): string => aliases[value][0] ?? value,
  };
}

export const yesNo = choice<'true' | 'false'>(
  { true: ['是', 'yes', 'y'], false: ['否', 'no', 'n'] },
  'false',
);

/** Lists in one cell, separated the ways people separate them: ; ； , ， 、 or new lines. */
export const list = (cell: string): string[] =>
  cell
    .split(/[;；,，、\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The download of a sheet: content type, and a file name Chinese browsers keep (RFC 5987). */
export function sheetFile(
  buffer: Buffer,
  format: SheetFormat,
  name: string,
  encoding: CsvEncoding = 'utf-8',
) {
  const type = format === 'csv' ? `${CONTENT_TYPES.csv}; charset=${encoding}` : CONTENT_TYPES.xlsx;
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return new StreamableFile(buffer, {
    type,
    disposition: `attachment; filename="${ascii}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}.${format}`,
  });
}
