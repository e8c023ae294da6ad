import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { bearer, startApp, type TestApp } from '../support/harness.js';

describe('server-room spreadsheets', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;

  beforeAll(async () => {
    t = await startApp();
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  const upload = (content: Buffer | string, token = tokens.operator) =>
    t
      .http()
      .post('/api/v1/server-rooms/import')
      .set(bearer(token))
      .attach('file', Buffer.from(content), 'rooms.csv');
  const HEADER =
    '部门编码,机房名称,面积(m²),机柜数,IT功率(kW),PUE,利用率(%),电费(元/年),维护费(元/年),人员费(元/年),线路费(元/年),其他(元/年)';

  it('imports GB18030 CSV with exact money, re-imports unchanged, exports the same columns', async () => {
    const dept = await t.world.department('department', tree.city);
    const csv = `${HEADER}\n${dept.code},二楼机房,55.5,6,20,2.3,25,"180,000.10",60000,120000,36000,0.05\n${dept.code},档案室机房,30,2,4,,,1000,0,0,0,0\n`;
    const file = iconv.encode(csv, 'gb18030');
    expect((await upload(file).expect(200)).body).toEqual({ rows: 2, created: 2, updated: 0, unchanged: 0 });
    expect((await upload(file).expect(200)).body).toEqual({ rows: 2, created: 0, updated: 0, unchanged: 2 });
    const listed = await t
      .http()
      .get(`/api/v1/server-rooms?departmentId=${dept.id}`)
      .set(bearer(tokens.finance))
      .expect(200);
    const second = listed.body.items.find((r: { name: string }) => r.name === '二楼机房');
    expect(second).toMatchObject({
      floorAreaM2: 55.5,
      costElectricity: '180000.10',
      costOther: '0.05',
      annualOmCost: '396000.15',
      pue: 2.3,
    });
    const exported = await t
      .http()
      .get(`/api/v1/server-rooms/export?format=csv&departmentId=${dept.id}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(exported.text).toContain('180000.10');
    expect((await upload(exported.text).expect(200)).body.unchanged).toBe(2);
  });

  it('refuses bad rows all at once and writes nothing', async () => {
    const dept = await t.world.department('department', tree.city);
    const csv = `${HEADER}\n${dept.code},甲,10,1,1,1.5,10,12.345,0,0,0,0\n${dept.code},乙,10,1,1,11,10,0,0,0,0,0\nnope,丙,10,1,1,1.5,10,0,0,0,0,0\n`;
    const res = await upload(csv).expect(422);
    expect(res.body.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [2, 'costElectricity'],
      [3, 'pue'],
      [4, 'departmentCode'],
    ]);
    const [{ count }] = await t.dataSource.query(
      'SELECT count(*) FROM server_rooms WHERE department_id = $1',
      [dept.id],
    );
    expect(Number(count)).toBe(0);
    await upload(`${HEADER}\n${tree.other.code},丁,10,1,1,1.5,10,0,0,0,0,0\n`, tokens.deptAdmin).expect(422);
  });
});
