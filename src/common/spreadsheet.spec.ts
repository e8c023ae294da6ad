import { describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { csvField, readSheet, writeSheet, type SheetColumn } from './spreadsheet.js';

interface Item {
  name: string;
  amount: string;
}

const COLUMNS: Array<SheetColumn<Item>> = [
  { key: 'name', header: '名称', required: true, parse: (cell) => cell, format: (i) => i.name },
  { key: 'amount', header: '金额', parse: (cell) => cell, format: (i) => i.amount },
];

const HOSTILE = ['=HYPERLINK("http://x.example/","open")', '+1+2', '@SUM(A1)', '-2+3', '\t=1'];

describe('spreadsheets', () => {
  it('writes a cell a spreadsheet would run as a formula with a leading quote, and reads it back as it was', async () => {
    const items = HOSTILE.map((name) => ({ name, amount: '-1.20' }));
    const csv = await writeSheet('s', COLUMNS, items, 'csv');
    const text = csv.toString('utf8');
    expect(text).toContain(`'=HYPERLINK(""http://x.example/"",""open"")`);
    expect(text).toContain("'+1+2");
    expect(text).toContain("'@SUM(A1)");
    // A negative amount is a number, not a formula: it stays as it is.
    expect(text).toContain(',-1.20');
    expect(text).not.toMatch(/^[=+\-@]/m);
    const { rows, errors } = await readSheet(csv, COLUMNS);
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.values.name)).toEqual(HOSTILE);
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField('-0.05')).toBe('-0.05');
  });

  it('refuses a cell holding an Excel error (as a value or a formula result) or a control character by row and column', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('s');
    sheet.addRow(['名称', '金额']);
    sheet.addRow(['good', '1']);
    sheet.addRow([null, '2']);
    sheet.getCell('A3').value = { formula: 'VLOOKUP(A2,X!A:B,2,0)', result: { error: '#N/A' } };
    sheet.addRow(['fine', null]);
    sheet.getCell('B4').value = { error: '#REF!' };
    const { rows, errors } = await readSheet(Buffer.from(await workbook.xlsx.writeBuffer()), COLUMNS);
    expect(errors).toEqual([
      { row: 3, column: 'name', message: 'the cell holds the error #N/A' },
      { row: 4, column: 'amount', message: 'the cell holds the error #REF!' },
    ]);
    expect(rows[0].values).toEqual({ name: 'good', amount: '1' });
    // XML cannot carry a NUL, a CSV can: PostgreSQL would refuse it unnamed.
    const csv = await readSheet(Buffer.from('名称,金额\ngood,1\nbad\u0000name,2\n'), COLUMNS);
    expect(csv.errors).toEqual([{ row: 3, column: 'name', message: 'the cell holds a control character' }]);
  });
});
