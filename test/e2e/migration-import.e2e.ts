import { describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { bearer } from '../support/harness.js';
import { inventorySpreadsheets, SYSTEM_HEADER, SYSTEM_KEYS, xlsx } from '../support/inventory.js';

const csv = (rows: Array<Array<string | number>>) =>
  rows
    .map((r) => r.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : c)).join(','))
    .join('\r\n');

async function readXlsx(buffer: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  const rows: string[][] = [];
  workbook.worksheets[0].eachRow((row) =>
    rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))),
  );
  return rows;
}

/** supertest hands binary answers over as a Buffer only when asked to. */
const binary = (res: any, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const world = inventorySpreadsheets();
const { upload, countSystems } = world;

describe('migration inventory spreadsheets', () => {
  it('downloads the template with Chinese headers and English ones in a second row', async () => {
    const { t, tokens } = world;
    const res = await t
      .http()
      .get('/api/v1/systems/template')
      .set(bearer(tokens.deptAdmin))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const [zh, en, ...rest] = await readXlsx(res.body);
    expect(zh.slice(0, 3)).toEqual(['部门编码', '系统名称', '用途']);
    expect(en.slice(0, 3)).toEqual(['departmentCode', 'name', 'purpose']);
    expect(rest).toEqual([]);
    const hosts = await t
      .http()
      .get('/api/v1/hosts/template?format=csv')
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(hosts.headers['content-type']).toContain('text/csv');
    expect(hosts.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0]).toMatch(/^部门编码,主机名,类型/);
  });

  it('imports a good file, exports the same, and re-importing either changes nothing', async () => {
    const { t, tree, tokens } = world;
    const dept = await t.world.department('department', tree.city);
    const rows = [
      [
        dept.code,
        '人口信息管理系统',
        '人口登记',
        '非涉密',
        '三级',
        'B/S',
        'Oracle 11g; Redis',
        '',
        800,
        3000,
        '高',
        '是',
      ],
      [dept.code, '办公自动化系统', '公文流转', '非涉密', 2, 'B/S', 'MySQL', '', 50, 500, '', '否'],
      [dept.code, '指挥调度系统', '', '涉密', 4, 'C/S', 'Oracle', '加密机、CA', 20000, 200, '关键', '是'],
    ];
    const file = await xlsx([SYSTEM_HEADER, SYSTEM_KEYS, ...rows]);
    const first = await upload('systems', file, '系统清单.xlsx').expect(200);
    expect(first.body).toEqual({ rows: 3, created: 3, updated: 0, unchanged: 0 });
    const listed = await t
      .http()
      .get(`/api/v1/systems?departmentId=${dept.id}`)
      .set(bearer(tokens.operator))
      .expect(200);
    const byName = Object.fromEntries(listed.body.items.map((s: { name: string }) => [s.name, s]));
    expect(byName['人口信息管理系统']).toMatchObject({
      classification: 'non-classified',
      protectionLevel: 3,
      databases: ['Oracle 11g', 'Redis'],
      availability: 'high',
      critical: true,
      status: 'inventoried',
    });
    expect(byName['指挥调度系统']).toMatchObject({
      specialDevices: ['加密机', 'CA'],
      strategy: 'exempt-classified',
    });
    const history = await t
      .http()
      .get(`/api/v1/systems/${byName['办公自动化系统'].id}/transitions`)
      .set(bearer(tokens.operator))
      .expect(200);
    expect(history.body).toHaveLength(1);

    expect((await upload('systems', file, '系统清单.xlsx').expect(200)).body).toEqual({
      rows: 3,
      created: 0,
      updated: 0,
      unchanged: 3,
    });

    const exported = await t
      .http()
      .get(`/api/v1/systems/export?departmentId=${dept.id}`)
      .set(bearer(tokens.finance))
      .buffer(true)
      .parse(binary)
      .expect(200);
    const sheet = await readXlsx(exported.body);
    expect(sheet).toHaveLength(2 + 3);
    expect(sheet.find((r) => r[1] === '办公自动化系统')).toEqual(
      expect.arrayContaining([dept.code, '办公自动化系统', '非涉密', 'B/S', 'MySQL']),
    );
    expect((await upload('systems', exported.body, 'export.xlsx').expect(200)).body).toEqual({
      rows: 3,
      created: 0,
      updated: 0,
      unchanged: 3,
    });
    const exportedCsv = await t
      .http()
      .get(`/api/v1/systems/export?format=csv&departmentId=${dept.id}`)
      .set(bearer(tokens.operator))
      .expect(200);
    expect((await upload('systems', exportedCsv.text, 'export.csv').expect(200)).body.unchanged).toBe(3);

    const changed = await xlsx([
      SYSTEM_HEADER,
      ...rows.map((r, i) => (i === 1 ? r.map((c, j) => (j === 9 ? 900 : c)) : r)),
    ]);
    expect((await upload('systems', changed, 'v2.xlsx').expect(200)).body).toEqual({
      rows: 3,
      created: 0,
      updated: 1,
      unchanged: 2,
    });
    const audit = await t
      .http()
      .get('/api/v1/audit?targetType=system-import')
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'system.import',
      after: { file: 'v2.xlsx', updated: 1 },
    });
  });

  it('reads GB18030 CSV, as Chinese Excel writes it', async () => {
    const { t, tree, tokens } = world;
    const dept = await t.world.department('department', tree.city, { name: '市人力社保局' });
    const text = csv([
      SYSTEM_HEADER,
      [
        dept.code,
        '社会保险业务系统',
        '参保、缴费，待遇',
        '非涉密',
        3,
        'C/S',
        'DB2',
        '',
        5000,
        80000,
        '高',
        '是',
      ],
    ]);
    const encoded = iconv.encode(text, 'gb18030');
    expect(encoded.equals(Buffer.from(text))).toBe(false);
    expect((await upload('systems', encoded, '社保.csv').expect(200)).body.created).toBe(1);
    const listed = await t
      .http()
      .get(`/api/v1/systems?departmentId=${dept.id}`)
      .set(bearer(tokens.operator))
      .expect(200);
    expect(listed.body.items[0]).toMatchObject({
      name: '社会保险业务系统',
      purpose: '参保、缴费，待遇',
      architecture: 'C/S',
      userCount: 80000,
    });
    // The same bytes, declared: identical result, nothing new.
    expect(
      (await upload('systems', encoded, 'x.csv', tokens.operator, '?encoding=gb18030').expect(200)).body
        .unchanged,
    ).toBe(1);
    const gbExport = await t
      .http()
      .get(`/api/v1/systems/export?format=csv&encoding=gb18030&departmentId=${dept.id}`)
      .set(bearer(tokens.operator))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(iconv.decode(gbExport.body, 'gb18030')).toContain('社会保险业务系统');
  });

  it('imports hosts linked to the systems they serve; an unknown system is a row error', async () => {
    const { t, tree, tokens } = world;
    const dept = await t.world.department('department', tree.city);
    await upload(
      'systems',
      await xlsx([
        SYSTEM_HEADER,
        [dept.code, '门户网站', '', '非涉密', 2, 'B/S', '', '', 1, 1, '', ''],
        [dept.code, '数据库服务', '', '非涉密', 2, 'B/S', '', '', 1, 1, '', ''],
      ]),
      's.xlsx',
    ).expect(200);
    const header = [
      '部门编码',
      '主机名',
      '类型',
      'CPU核数',
      '内存(GiB)',
      '磁盘(GiB)',
      '操作系统',
      '机柜',
      'U位',
      '功率(W)',
      '购置年份',
      '所服务系统',
    ];
    const rows = [
      [dept.code, 'web-01', '物理机', 16, 64, 2000, 'CentOS 7', 'A03', '10-11', 500, 2015, '门户网站'],
      [
        dept.code,
        'db-01',
        'physical',
        32,
        256,
        8000,
        'RHEL 6',
        'A03',
        '12-15',
        900,
        2013,
        '门户网站；数据库服务',
      ],
    ];
    expect((await upload('hosts', await xlsx([header, ...rows]), 'hosts.xlsx').expect(200)).body).toEqual({
      rows: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
    });
    expect(
      (await upload('hosts', await xlsx([header, ...rows]), 'hosts.xlsx').expect(200)).body.unchanged,
    ).toBe(2);
    const listed = await t
      .http()
      .get(`/api/v1/hosts?departmentId=${dept.id}`)
      .set(bearer(tokens.operator))
      .expect(200);
    const db = listed.body.items.find((h: { hostname: string }) => h.hostname === 'db-01');
    expect(db).toMatchObject({ kind: 'physical', cpuCores: 32, purchaseYear: 2013 });
    expect(db.systemIds).toHaveLength(2);
    const relinked = await upload(
      'hosts',
      await xlsx([header, rows[0], rows[1].map((c, i) => (i === 11 ? '数据库服务' : c))]),
      'v2.xlsx',
    ).expect(200);
    expect(relinked.body).toMatchObject({ updated: 1, unchanged: 1 });
    const bad = await upload(
      'hosts',
      await xlsx([header, [dept.code, 'app-01', '虚拟机', 4, 8, 100, '', '', '', '', '', '不存在的系统']]),
      'bad.xlsx',
    ).expect(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ row: 2, column: 'systemNames' })]);
    const exported = await t
      .http()
      .get(`/api/v1/hosts/export?format=csv&departmentId=${dept.id}`)
      .set(bearer(tokens.operator))
      .expect(200);
    expect(exported.text).toContain('web-01');
    expect((await upload('hosts', exported.text, 'hosts.csv').expect(200)).body.unchanged).toBe(2);
  });

  it('imports 10,000 rows in one file', async () => {
    const { t, tree } = world;
    const dept = await t.world.department('department', tree.city);
    const rows = Array.from({ length: 10_000 }, (_, i) => [
      dept.code,
      `业务系统-${i}`,
      '',
      i % 10 === 0 ? '涉密' : '非涉密',
      (i % 4) + 1,
      'B/S',
      'MySQL',
      '',
      i,
      i % 500,
      '',
      '否',
    ]);
    const res = await upload('systems', await xlsx([SYSTEM_HEADER, SYSTEM_KEYS, ...rows]), 'big.xlsx').expect(
      200,
    );
    expect(res.body).toEqual({ rows: 10_000, created: 10_000, updated: 0, unchanged: 0 });
    expect(await countSystems(dept.id)).toBe(10_000);
    const [{ count }] = await t.dataSource.query(
      `SELECT count(*) FROM migration_transitions WHERE department_id = $1 AND to_status = 'inventoried'`,
      [dept.id],
    );
    expect(Number(count)).toBe(10_000);
  });
});
