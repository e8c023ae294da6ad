import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { RebillQueryService } from '../../src/modules/billing/rebill-query.service.js';
import { rebillsOnPricedPool } from '../support/billing.js';
import { bearer } from '../support/harness.js';

const world = rebillsOnPricedPool();
const { post, get } = world;

describe('rebills', () => {
  const dept = (
    body: { departments: Array<{ departmentId: string; own: string; subtree: string }> },
    id: string,
  ) => body.departments.find((d) => d.departmentId === id);

  describe('a month, computed, viewed, finalised', () => {
    let run: { id: string; total: string };
    let vm: string;

    beforeAll(async () => {
      const { b, tree, pool } = world;
      // dept: 2 vCPU, 4 GiB, 100 GiB, running since 31 January noon.
      vm = await b.resource(tree.dept.id, pool, { vcpu: 2, memoryGiB: 4, storageGiB: 100 }, [
        ['provisioning', '2024-01-31T11:00:00Z'],
        ['running', '2024-01-31T12:00:00Z'],
      ]);
      // unit: 1 vCPU, 50 GiB; runs 10–20 February, then stopped.
      await b.resource(tree.unit.id, pool, { vcpu: 1, memoryGiB: 0, storageGiB: 50 }, [
        ['running', '2024-02-10T00:00:00Z'],
        ['stopped', '2024-02-20T00:00:00Z'],
      ]);
      // other: a container of 2 replicas × 1 vCPU, running all month.
      await b.resource(tree.other.id, pool, { vcpu: 1, memoryGiB: 0, storageGiB: 0, replicas: 2 }, [
        ['running', '2024-01-15T00:00:00Z'],
      ]);
      run = (await post('/api/v1/rebills', { period: '2024-02' }).expect(201)).body;
    });

    it('bills leap-year February to the fen, with department totals and subtree roll-ups', async () => {
      const { tree } = world;
      // The new draft's answer has the same fields as a read of it.
      expect(run).toMatchObject({ state: 'draft', finalizedAt: null });
      const res = await get(`/api/v1/rebills/${run.id}`).expect(200);
      expect(res.body).toMatchObject({
        period: '2024-02',
        state: 'draft',
        computedUntil: '2024-03-01T00:00:00.000Z',
      });
      // dept: 696 h × 2 vCPU × 0.05 = 69.60; 696 × 4 GiB × 0.01 = 27.84; 100 GiB × 1 month × 0.3 = 30.00.
      expect(dept(res.body, tree.dept.id)).toMatchObject({ own: '127.44', subtree: '149.78' });
      // unit: 240 h × 0.05 = 12.00; storage 10–29 February: 50 GiB × 20/29 month × 0.3 = 10.344… → 10.34.
      expect(dept(res.body, tree.unit.id)).toMatchObject({ own: '22.34', subtree: '22.34' });
      expect(dept(res.body, tree.district.id)).toMatchObject({ own: '0.00', subtree: '149.78' });
      // other: 2 × 696 h × 0.05 = 69.60.
      expect(dept(res.body, tree.other.id)).toMatchObject({ own: '69.60', subtree: '69.60' });
      expect(dept(res.body, tree.city.id)).toMatchObject({ subtree: '219.38' });
      const lines = res.body.lines.items.filter((l: { resourceId: string }) => l.resourceId === vm);
      expect(
        lines
          .map((l: Record<string, string>) => [l.dimension, l.unit, l.quantity, l.unitPrice, l.amount])
          .sort(),
      ).toEqual([
        ['memoryGiB', 'GiB·h', '2784.000000', '0.010000', '27.84'],
        ['storageGiB', 'GiB·month', '100.000000', '0.300000', '30.00'],
        ['vcpu', 'vCPU·h', '1392.000000', '0.050000', '69.60'],
      ]);
    });

    it('shows a department with its subtree, or alone', async () => {
      const { tree } = world;
      const whole = await get(`/api/v1/rebills/${run.id}/departments/${tree.dept.id}`).expect(200);
      expect(whole.body).toMatchObject({ own: '127.44', subtree: '149.78' });
      expect(whole.body.children.map((c: { departmentId: string }) => c.departmentId)).toEqual([
        tree.unit.id,
      ]);
      expect(whole.body.lines.count).toBe(5);
      const alone = await get(`/api/v1/rebills/${run.id}/departments/${tree.dept.id}?subtree=false`).expect(
        200,
      );
      expect(alone.body.lines.count).toBe(3);
    });

    it('lets a dept-admin see only its subtree', async () => {
      const { tree, tokens } = world;
      const res = await get(`/api/v1/rebills/${run.id}`, tokens.deptAdmin).expect(200);
      expect(res.body.total).toBe('149.78');
      // The count of its own lines, not the city's (which would tell how much the others use).
      expect(res.body.lineCount).toBe(res.body.lines.count);
      expect(res.body.lineCount).toBeLessThan(
        (await get(`/api/v1/rebills/${run.id}`).expect(200)).body.lineCount,
      );
      expect(res.body.departments.map((d: { departmentId: string }) => d.departmentId).sort()).toEqual(
        [tree.dept.id, tree.unit.id].sort(),
      );
      expect(new Set(res.body.lines.items.map((l: { departmentId: string }) => l.departmentId))).toEqual(
        new Set([tree.dept.id, tree.unit.id]),
      );
      await get(`/api/v1/rebills/${run.id}/departments/${tree.other.id}`, tokens.deptAdmin).expect(404);
      const otherLine = (await get(`/api/v1/rebills/${run.id}/departments/${tree.other.id}`)).body.lines
        .items[0];
      await get(`/api/v1/rebills/${run.id}/lines/${otherLine.id}`, tokens.deptAdmin).expect(404);
      const csv = await get(`/api/v1/rebills/${run.id}?format=csv`, tokens.deptAdmin).expect(200);
      expect(csv.text).not.toContain(tree.other.code);
    });

    it('explains a line by its events and rate card', async () => {
      const { tree, tokens } = world;
      const res = await get(`/api/v1/rebills/${run.id}/departments/${tree.dept.id}?subtree=false`);
      const line = res.body.lines.items.find((l: { dimension: string }) => l.dimension === 'vcpu');
      const why = await get(`/api/v1/rebills/${run.id}/lines/${line.id}`, tokens.deptAdmin).expect(200);
      expect(why.body.events.map((e: { toState: string }) => e.toState)).toEqual(['provisioning', 'running']);
      expect(why.body.rateCard.prices.vcpuHour).toBe('0.05');
      expect(why.body.intervals).toEqual([
        {
          from: '2024-02-01T00:00:00.000Z',
          to: '2024-03-01T00:00:00.000Z',
          quantity: '2',
          eventId: why.body.events[1].id,
        },
      ]);
      expect(why.body.recomputed).toEqual({ quantity: '1392.000000', unitPrice: '0.05', amount: '69.60' });
      expect(why.body.consistent).toBe(true);
    });

    it('exports CSV, XLSX and PDF', async () => {
      const { t, tree } = world;
      const csv = await get(`/api/v1/rebills/${run.id}?format=csv`).expect(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.text.split('\n')[0]).toContain('金额 amount (CNY)');
      expect(csv.text).toContain(`${tree.dept.code},`);
      // Finance reads names, and keeps the ids to trace a line back.
      const [header, ...rows] = csv.text.split('\n').map((row) => row.split(','));
      const cell = (row: string[], column: string) => row[header.indexOf(column)];
      // Its own department's: the run is city-wide, and other tests' names may hold commas.
      const usage = rows.find(
        (row) =>
          cell(row, '类型 kind') === 'usage' && cell(row, '部门编码 department code') === tree.dept.code,
      )!;
      const [names] = await t.dataSource.query(
        `SELECT r.name AS resource, p.name AS pool FROM resources r JOIN pools p ON p.id = r.pool_id WHERE r.id = $1`,
        [cell(usage, '资源 ID resource id')],
      );
      expect(cell(usage, '资源名称 resource name')).toBe(names.resource);
      expect(cell(usage, '资源池名称 pool name')).toBe(names.pool);
      const binary = (format: string) =>
        get(`/api/v1/rebills/${run.id}?format=${format}`)
          .buffer(true)
          .parse((res, done) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done(null, Buffer.concat(chunks)));
          })
          .expect(200);
      const xlsx = await binary('xlsx');
      expect(xlsx.headers['content-type']).toContain('spreadsheetml');
      expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
      const pdf = await binary('pdf');
      expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'rebill-')), 'rebill.pdf');
      writeFileSync(file, pdf.body);
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
      // The CJK font is embedded: pdftotext reads the Chinese back.
      expect(text).toContain(`政务云费用分摊 Government cloud rebill 2024-02`);
      expect(text).toContain(`合计 total: ${run.total} CNY`);
      expect(text).toContain(`${tree.other.code} ${tree.other.name} 本级 own 69.60 含下级 subtree 69.60`);
      await get(`/api/v1/rebills/${run.id}?format=doc`).expect(400);
    });

    it('pages an export through every line once, in department and key order', async () => {
      const { t } = world;
      const all: Array<{ id: string; department_id: string; key: string }> = await t.dataSource.query(
        'SELECT id, department_id, key FROM rebill_lines WHERE line_set_id = (SELECT line_set_id FROM rebill_runs WHERE id = $1)',
        [run.id],
      );
      const seen: string[] = [];
      for await (const page of t.app
        .get(RebillQueryService)
        .allLines(await t.app.get(RebillQueryService).run(run.id), '/', 2))
        seen.push(...page.map((l) => l.id));
      const ordered = [...all].sort((x, y) =>
        x.department_id !== y.department_id
          ? x.department_id < y.department_id
            ? -1
            : 1
          : x.key < y.key
            ? -1
            : 1,
      );
      expect(all.length).toBeGreaterThan(4);
      expect(seen).toEqual(ordered.map((l) => l.id));
    });

    it('recomputes a draft in place, byte-identical when nothing changed', async () => {
      const csv = async () => (await get(`/api/v1/rebills/${run.id}?format=csv`).expect(200)).text;
      const before = await csv();
      const again = await post('/api/v1/rebills', { period: '2024-02' }).expect(201);
      expect(again.body.id).toBe(run.id);
      expect(await csv()).toBe(before);
    });

    it('finalises once; then the run, its lines and its rate card never change', async () => {
      const { t, tokens, pool } = world;
      const card = (await get(`/api/v1/rate-cards?poolId=${pool}`)).body[0];
      const done = await post(`/api/v1/rebills/${run.id}/finalize`, {}).expect(200);
      expect(done.body.state).toBe('finalized');
      expect((await post(`/api/v1/rebills/${run.id}/finalize`, {})).status).toBe(409);
      expect((await post('/api/v1/rebills', { period: '2024-02' })).status).toBe(409);
      await expect(
        t.dataSource.query(
          `UPDATE rebill_lines SET amount = 0 WHERE line_set_id = (SELECT line_set_id FROM rebill_runs WHERE id = $1)`,
          [run.id],
        ),
      ).rejects.toThrow(/immutable/);
      // Nor can a line be added to its set.
      await expect(
        t.dataSource.query(
          `INSERT INTO rebill_lines (id, line_set_id, key, kind, month, department_id, resource_id, pool_id,
             dimension, tier, rate_card_id, unit, usage_ms, quantity, unit_price, amount, adjusts_run_id,
             adjusts_line_id, adjusts_key)
           SELECT gen_random_uuid(), line_set_id, key || '|again', kind, month, department_id, resource_id, pool_id,
             dimension, tier, rate_card_id, unit, usage_ms, quantity, unit_price, amount, adjusts_run_id,
             adjusts_line_id, adjusts_key
           FROM rebill_lines WHERE line_set_id = (SELECT line_set_id FROM rebill_runs WHERE id = $1) LIMIT 1`,
          [run.id],
        ),
      ).rejects.toThrow(/immutable/);
      await expect(t.dataSource.query(`DELETE FROM rebill_runs WHERE id = $1`, [run.id])).rejects.toThrow(
        /immutable/,
      );
      const patch = await t
        .http()
        .patch(`/api/v1/rate-cards/${card.id}`)
        .set(bearer(tokens.operator))
        .send({ name: 'changed' })
        .expect(409);
      expect(patch.body.message).toMatch(/add a new card/);
      expect((await get(`/api/v1/rate-cards/${card.id}`)).body.locked).toBe(true);
      await t.http().delete(`/api/v1/rate-cards/${card.id}`).set(bearer(tokens.finance)).expect(409);
    });

    it('puts a late event for a finalised month into the next month as an adjustment referencing the original', async () => {
      const { b, tree, pool } = world;
      // The dept VM was in fact stopped on 25 February, reported only now: 5 days less.
      await b.events(vm, tree.dept.id, pool, { vcpu: 2, memoryGiB: 4, storageGiB: 100 }, [
        ['stopped', '2024-02-25T00:00:00Z'],
        ['deleted', '2024-02-25T00:00:00Z'],
      ]);
      const march = (await post('/api/v1/rebills', { period: '2024-03' }).expect(201)).body;
      const lines = (await get(`/api/v1/rebills/${march.id}/departments/${tree.dept.id}?subtree=false`)).body
        .lines.items;
      const adjustments = lines.filter((l: { kind: string }) => l.kind === 'adjustment');
      // 25–29 February, 120 h: vcpu −120 × 2 × 0.05 = −12.00; memory −120 × 4 × 0.01 = −4.80;
      // storage 100 GiB × 24/29 month × 0.3 = 24.827… → 24.83, so 30.00 − 24.83 = −5.17.
      expect(
        adjustments
          .map((l: Record<string, string>) => [l.month, l.dimension, l.amount, l.adjustsRunId])
          .sort(),
      ).toEqual([
        ['2024-02', 'memoryGiB', '-4.80', run.id],
        ['2024-02', 'storageGiB', '-5.17', run.id],
        ['2024-02', 'vcpu', '-12.00', run.id],
      ]);
      for (const a of adjustments) expect(a.adjustsLineId).toEqual(expect.any(String));
      expect(lines.filter((l: { kind: string }) => l.kind === 'usage')).toEqual([]);
      const why = await get(`/api/v1/rebills/${march.id}/lines/${adjustments[0].id}`).expect(200);
      expect(why.body.adjusts.original.id).toBe(adjustments[0].adjustsLineId);
    });
  });

  it('will not finalise a draft whose corrections an earlier month finalised since has made stale', async () => {
    const { t, b, tree, pool } = world;
    const d = await t.world.department('department', tree.city);
    const spec = { vcpu: 1, memoryGiB: 0, storageGiB: 0 };
    const vm = await b.resource(d.id, pool, spec, [['running', '2021-01-01T00:00:00Z']]);
    const jan = (await post('/api/v1/rebills', { period: '2021-01' }).expect(201)).body;
    await post(`/api/v1/rebills/${jan.id}/finalize`, {}).expect(200);
    // Reported late: deleted on 31 January, a day (24 h × 0.05 = 1.20) less than January billed.
    await b.events(vm, d.id, pool, spec, [['deleted', '2021-01-31T00:00:00Z']]);
    // Finance catches up two months: both drafts correct January, as neither knows of the other.
    const feb = (await post('/api/v1/rebills', { period: '2021-02' }).expect(201)).body;
    const mar = (await post('/api/v1/rebills', { period: '2021-03' }).expect(201)).body;
    await post(`/api/v1/rebills/${feb.id}/finalize`, {}).expect(200);
    const stale = await post(`/api/v1/rebills/${mar.id}/finalize`, {}).expect(409);
    expect(stale.body.message).toMatch(/recompute/);
    await post('/api/v1/rebills', { period: '2021-03' }).expect(201);
    await post(`/api/v1/rebills/${mar.id}/finalize`, {}).expect(200);
    const [{ corrected }] = await t.dataSource.query(
      `SELECT SUM(l.amount)::text AS corrected FROM rebill_lines l JOIN rebill_runs r ON r.line_set_id = l.line_set_id
       WHERE l.kind = 'adjustment' AND l.department_id = $1`,
      [d.id],
    );
    expect(corrected).toBe('-1.20');
  });

  it('will not finalise a draft after a later month carrying the same corrections, nor two such drafts at once', async () => {
    const { t, b, tree, pool } = world;
    const corrected = async (departmentId: string) =>
      (
        await t.dataSource.query(
          `SELECT SUM(l.amount)::text AS sum FROM rebill_lines l JOIN rebill_runs r ON r.line_set_id = l.line_set_id
           WHERE r.state = 'finalized' AND l.kind = 'adjustment' AND l.department_id = $1`,
          [departmentId],
        )
      )[0].sum;
    // January finalised, then deleted on 31 January as reported late (1.20 less); February and March
    // both correct January.
    const lateJanuary = async (year: number) => {
      const d = await t.world.department('department', tree.city);
      const spec = { vcpu: 1, memoryGiB: 0, storageGiB: 0 };
      const vm = await b.resource(d.id, pool, spec, [['running', `${year}-01-01T00:00:00Z`]]);
      const jan = (await post('/api/v1/rebills', { period: `${year}-01` }).expect(201)).body;
      await post(`/api/v1/rebills/${jan.id}/finalize`, {}).expect(200);
      await b.events(vm, d.id, pool, spec, [['deleted', `${year}-01-31T00:00:00Z`]]);
      const feb = (await post('/api/v1/rebills', { period: `${year}-02` }).expect(201)).body;
      const mar = (await post('/api/v1/rebills', { period: `${year}-03` }).expect(201)).body;
      return { d, feb, mar };
    };

    const late = await lateJanuary(2022);
    await post(`/api/v1/rebills/${late.mar.id}/finalize`, {}).expect(200);
    const stale = await post(`/api/v1/rebills/${late.feb.id}/finalize`, {}).expect(409);
    expect(stale.body.message).toBe(
      'rebill 2022-03 was finalized after 2022-02 was computed; recompute 2022-02 first',
    );
    await post('/api/v1/rebills', { period: '2022-02' }).expect(201);
    await post(`/api/v1/rebills/${late.feb.id}/finalize`, {}).expect(200);
    expect(await corrected(late.d.id)).toBe('-1.20');

    const atOnce = await lateJanuary(2023);
    const answers = await Promise.all(
      [atOnce.feb, atOnce.mar].map((run) => post(`/api/v1/rebills/${run.id}/finalize`, {})),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await corrected(atOnce.d.id)).toBe('-1.20');
  });

  // It leaves usage no card prices from May 2019 on, which would refuse the finalisations above (2021, 2024): last.
  it('lists usage no card prices and will not finalise it', async () => {
    const { t, b, tree } = world;
    const bare = await b.pool();
    const d = await t.world.department('department', tree.city);
    await b.resource(d.id, bare, { vcpu: 1, memoryGiB: 0, storageGiB: 0 }, [
      ['running', '2019-05-10T00:00:00Z'],
    ]);
    const run = (await post('/api/v1/rebills', { period: '2019-05' }).expect(201)).body;
    expect(run.unpriced).toEqual([{ poolId: bare, from: '2019-05-10T00:00:00.000Z' }]);
    const [{ name }] = await t.dataSource.query(`SELECT name FROM pools WHERE id = $1`, [bare]);
    const refused = await post(`/api/v1/rebills/${run.id}/finalize`, {}).expect(409);
    expect(refused.body.message).toBe(
      `rebill 2019-05 has usage no rate card prices (pool ${name} from 2019-05-10T00:00:00.000Z); add a card and recompute`,
    );
  });
});
