import { describe, expect, it } from '@jest/globals';
import { bearer, unique } from '../support/harness.js';
import { inventorySpreadsheets, SYSTEM_HEADER, xlsx } from '../support/inventory.js';

const world = inventorySpreadsheets();
const { upload, countSystems } = world;

describe('migration inventory spreadsheets', () => {
  it('refuses a file with errors in several rows: 422 with every error, nothing written', async () => {
    const { t, tree, tokens } = world;
    const dept = await t.world.department('department', tree.city);
    const rows = [
      [dept.code, '好系统一', '', '非涉密', 2, 'B/S', '', '', 1, 1, '', ''],
      [dept.code, '坏等保', '', '非涉密', 5, 'B/S', '', '', 1, 1, '', ''],
      ['no-such-dept', '无部门', '', '非涉密', 2, 'B/S', '', '', 1, 1, '', ''],
      [dept.code, '坏架构', '', '机密', 2, '主机', '', '', 'many', 1, '', ''],
      [dept.code, '好系统一', '', '非涉密', 2, 'B/S', '', '', 1, 1, '', ''],
      [dept.code, '', '', '非涉密', 2, 'B/S', '', '', 1, 1, '', '也许'],
    ];
    const res = await upload('systems', await xlsx([SYSTEM_HEADER, ...rows]), 'bad.xlsx').expect(422);
    expect(res.body.message).toMatch(/nothing was imported/);
    const errors = res.body.errors.map((e: { row: number; column: string }) => [e.row, e.column]);
    expect(errors).toEqual(
      expect.arrayContaining([
        [3, 'protectionLevel'],
        [4, 'departmentCode'],
        [5, 'classification'],
        [5, 'architecture'],
        [5, 'dataVolumeGb'],
        [6, 'name'],
        [7, 'name'],
        [7, 'critical'],
      ]),
    );
    for (const e of res.body.errors) expect(e.message).toBeTruthy();
    expect(await countSystems(dept.id)).toBe(0);

    const header = await upload(
      'systems',
      await xlsx([
        ['部门编码', '系统名称', '颜色'],
        [dept.code, 'x', '红'],
      ]),
      'h.xlsx',
    ).expect(422);
    expect(header.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 1, column: '颜色' }),
        expect.objectContaining({ row: 1, column: 'classification' }),
      ]),
    );
    const none = await t.http().post('/api/v1/systems/import').set(bearer(tokens.operator)).expect(400);
    expect(none.body.message).toMatch(/^file/);
  });

  it("a dept-admin imports into its own subtree only: another department's code is unknown", async () => {
    const { t, tree, tokens } = world;
    const rows = [
      [tree.unit.code, unique('系统'), '', '非涉密', 2, 'B/S', '', '', 1, 1, '', ''],
      [tree.other.code, unique('系统'), '', '非涉密', 2, 'B/S', '', '', 1, 1, '', ''],
    ];
    const res = await upload(
      'systems',
      await xlsx([SYSTEM_HEADER, ...rows]),
      'x.xlsx',
      tokens.deptAdmin,
    ).expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 3, column: 'departmentCode' })]);
    expect(
      (await upload('systems', await xlsx([SYSTEM_HEADER, rows[0]]), 'x.xlsx', tokens.deptAdmin).expect(200))
        .body.created,
    ).toBe(1);
    for (const token of [tokens.finance, tokens.auditor])
      await upload('systems', await xlsx([SYSTEM_HEADER, rows[0]]), 'x.xlsx', token).expect(403);
    const exported = await t
      .http()
      .get('/api/v1/systems/export?format=csv')
      .set(bearer(tokens.otherAdmin))
      .expect(200);
    expect(exported.text).not.toContain(tree.unit.code);
  });

  it('a CSV it cannot parse answers 400 naming the file, not 500', async () => {
    const broken = [
      '部门编码,系统名称\n"unterminated,\n', // a quote never closed
      `部门编码\n${'x,'.repeat(17_000)}\n`, // more columns than a worksheet holds
    ];
    for (const kind of ['systems', 'hosts'] as const)
      for (const csv of broken) {
        const res = await upload(kind, csv, 'broken.csv');
        expect({ status: res.status, message: res.body.message }).toEqual({
          status: 400,
          message: expect.stringMatching(/^file: not a readable CSV/),
        });
      }
  });
  it('keeps an exempted system classified, through the API and the import', async () => {
    const { t, tree, tokens } = world;
    const dept = await t.world.department('department', tree.city);
    const row = (classification: string) => [
      dept.code,
      '涉密系统',
      '',
      classification,
      2,
      'B/S',
      '',
      '',
      1,
      1,
      '',
      '',
    ];
    await upload('systems', await xlsx([SYSTEM_HEADER, row('涉密')]), 's.xlsx').expect(200);
    const [{ id }] = await t.dataSource.query('SELECT id FROM information_systems WHERE department_id = $1', [
      dept.id,
    ]);
    await t
      .http()
      .post(`/api/v1/systems/${id}/transitions`)
      .set(bearer(tokens.operator))
      .send({ to: 'exempted', note: '涉密' })
      .expect(200);
    const patched = await t
      .http()
      .patch(`/api/v1/systems/${id}`)
      .set(bearer(tokens.operator))
      .send({ classification: 'non-classified' })
      .expect(409);
    expect(patched.body.message).toMatch(/^classification: an exempted system/);
    const imported = await upload('systems', await xlsx([SYSTEM_HEADER, row('非涉密')]), 's.xlsx').expect(
      422,
    );
    expect(imported.body.errors).toEqual([
      {
        row: 2,
        column: 'classification',
        message: expect.stringMatching(/^classification: an exempted system/),
      },
    ]);
    const [after] = await t.dataSource.query('SELECT classification FROM information_systems WHERE id = $1', [
      id,
    ]);
    expect(after.classification).toBe('classified');
  });
});
