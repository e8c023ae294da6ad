import { describe, expect, it } from '@jest/globals';
import { Dec, roundQuantity } from '../../src/modules/billing/money.js';
import { PRICES, rebillsOnPricedPool } from '../support/billing.js';
import { bearer } from '../support/harness.js';

const world = rebillsOnPricedPool();
const { post, get } = world;

describe('rebills', () => {
  describe('rate cards', () => {
    const card = (poolId: string, extra: Record<string, unknown> = {}) => ({
      poolId,
      name: '2025 年政务云服务招标价格',
      effectiveFrom: '2025-01-01',
      prices: PRICES,
      ...extra,
    });

    it('are managed by operators and finance, audited, and read by everyone', async () => {
      const { t, b, tokens } = world;
      const p = await b.pool('self-managed');
      const created = await post('/api/v1/rate-cards', card(p), tokens.operator).expect(201);
      expect(created.body).toMatchObject({
        poolId: p,
        currency: 'CNY',
        storageBilling: 'exists',
        locked: false,
      });
      expect(created.body.prices).toEqual({ ...PRICES, storageGiBMonth: { ssd: '1.2', standard: '0.3' } });
      await post('/api/v1/rate-cards', card(p, { effectiveFrom: '2026-01-01' })).expect(201);
      await post('/api/v1/rate-cards', card(p, { effectiveFrom: '2027-01-01' }), tokens.deptAdmin).expect(
        403,
      );
      const listed = await get(`/api/v1/rate-cards?poolId=${p}`, tokens.deptAdmin).expect(200);
      expect(listed.body.map((c: { effectiveFrom: string }) => c.effectiveFrom)).toEqual([
        '2025-01-01',
        '2026-01-01',
      ]);
      const patched = await t
        .http()
        .patch(`/api/v1/rate-cards/${created.body.id}`)
        .set(bearer(tokens.finance))
        .send({ prices: { ...PRICES, vcpuHour: '0.07' } })
        .expect(200);
      expect(patched.body.prices.vcpuHour).toBe('0.07');
      const audit = await get(
        `/api/v1/audit?targetType=rate-card&targetId=${created.body.id}`,
        tokens.auditor,
      ).expect(200);
      expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
        'rate-card.create',
        'rate-card.update',
      ]);
    });

    it('refuse prices that are not decimal strings, a missing standard tier, an unknown pool, a second card on the same date', async () => {
      const { b } = world;
      const p = await b.pool();
      const bad = async (body: unknown, field: RegExp) => {
        const res = await post('/api/v1/rate-cards', body).expect(400);
        expect(res.body.message).toMatch(field);
      };
      await bad(card(p, { prices: { ...PRICES, vcpuHour: 0.05 } }), /^prices\.vcpuHour/);
      await bad(card(p, { prices: { ...PRICES, gpuHour: '1.2.3' } }), /^prices\.gpuHour/);
      await bad(card(p, { prices: { ...PRICES, memoryGiBHour: '0.0000001' } }), /^prices\.memoryGiBHour/);
      await bad(
        card(p, { prices: { ...PRICES, storageGiBMonth: { ssd: '1' } } }),
        /^prices\.storageGiBMonth/,
      );
      await bad(
        card(p, { prices: { ...PRICES, storageGiBMonth: { standard: 1 } } }),
        /^prices\.storageGiBMonth\.standard/,
      );
      await bad(card(p, { effectiveFrom: '2025-13-01' }), /^effectiveFrom/);
      await bad(card('7d3c1a3e-0000-4000-8000-000000000000'), /^poolId/);
      await post('/api/v1/rate-cards', card(p)).expect(201);
      await post('/api/v1/rate-cards', card(p)).expect(409);
    });
  });

  /**
   * A draft of `period` on a pool of its own, whose one card (made through the API, and edited with
   * `edit`) prices a resource of `spec` running from the period's start. Drafts are city-wide and the
   * suite shares one database: a month of the 1950s no other test's usage reaches.
   */
  const draftOnOwnCard = async (period: string, spec: Record<string, unknown>) => {
    const { t, b, tree, tokens } = world;
    const pool = await b.pool();
    const card = (
      await post('/api/v1/rate-cards', {
        poolId: pool,
        name: 'c',
        effectiveFrom: '1950-01-01',
        prices: PRICES,
      })
    ).body;
    const d = await t.world.department('department', tree.city);
    await b.resource(d.id, pool, spec, [['running', `${period}-01T00:00:00Z`]]);
    const run = (await post('/api/v1/rebills', { period }).expect(201)).body;
    const edit = (body: object) =>
      t.http().patch(`/api/v1/rate-cards/${card.id}`).set(bearer(tokens.finance)).send(body).expect(200);
    return { pool, card, d, run, edit };
  };

  it('will not finalise a draft whose rate cards changed, came or went since it was computed, nor one being edited meanwhile', async () => {
    const { t } = world;
    const { pool, card, d, run, edit } = await draftOnOwnCard('1958-07', {
      vcpu: 1,
      memoryGiB: 0,
      storageGiB: 0,
    });
    const finalize = () => post(`/api/v1/rebills/${run.id}/finalize`, {});
    const refused = async (name: string) => {
      const res = await finalize().expect(409);
      expect(res.body.message).toBe(
        `rate card ${name} changed after rebill 1958-07 was computed; recompute 1958-07 first`,
      );
      await post('/api/v1/rebills', { period: '1958-07' }).expect(201);
    };
    await edit({ prices: { ...PRICES, vcpuHour: '0.06' } });
    await refused('c');
    await post('/api/v1/rate-cards', {
      poolId: pool,
      name: 'mid',
      effectiveFrom: '1958-07-15',
      prices: PRICES,
    }).expect(201);
    await refused('mid');

    // An edit in flight when finance finalises: the finalisation waits for it, then refuses.
    const inFlight = t.dataSource.createQueryRunner();
    await inFlight.connect();
    try {
      await inFlight.startTransaction();
      await inFlight.query(`SELECT id FROM rate_cards WHERE id = $1 FOR UPDATE`, [card.id]);
      await inFlight.query(`UPDATE rate_cards SET vcpu_hour = 0.07, updated_at = now() WHERE id = $1`, [
        card.id,
      ]);
      const finalizing = finalize().then((res) => res);
      for (let i = 0; i < 100; i++) {
        const [waiting] = await t.dataSource.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR SHARE%'`,
        );
        if (waiting) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await inFlight.commitTransaction();
      expect((await finalizing).status).toBe(409);
    } finally {
      await inFlight.release();
    }

    await post('/api/v1/rebills', { period: '1958-07' }).expect(201);
    await finalize().expect(200);
    const frozen = (await get(`/api/v1/rate-cards/${card.id}`)).body;
    const lines = (await get(`/api/v1/rebills/${run.id}/departments/${d.id}?subtree=false`)).body.lines.items;
    expect(frozen).toMatchObject({ locked: true, prices: { vcpuHour: '0.07' } });
    expect(lines.find((l: { rateCardId: string }) => l.rateCardId === card.id).unitPrice).toBe('0.070000');
  });

  it('explains a draft line its edited card can no longer price: the line as written, and why nothing is recomputed', async () => {
    const { pool, card, d, run, edit } = await draftOnOwnCard('1958-05', {
      vcpu: 1,
      memoryGiB: 0,
      storageGiB: 10,
      storageTier: 'ssd',
    });
    const lines = (await get(`/api/v1/rebills/${run.id}/departments/${d.id}?subtree=false`)).body.lines.items;
    const explain = async (dimension: string) => {
      const line = lines.find((l: { dimension: string }) => l.dimension === dimension);
      return (await get(`/api/v1/rebills/${run.id}/lines/${line.id}`).expect(200)).body;
    };
    await edit({ prices: { ...PRICES, storageGiBMonth: { standard: '0.3' } } });
    expect(await explain('storageGiB')).toMatchObject({
      line: { tier: 'ssd', amount: '12.00' },
      recomputed: null,
      consistent: false,
      reason: `the rate cards in force today cannot recompute this line: rate card ${card.id} has no storage price for tier 'ssd'`,
    });
    await edit({ effectiveFrom: '1958-05-15' });
    expect(await explain('vcpu')).toMatchObject({
      line: { amount: '37.20' },
      recomputed: null,
      consistent: false,
      reason: `the rate cards in force today cannot recompute this line: pool ${pool} has no rate card in force at 1958-05-01T00:00:00.000Z`,
    });
    // Later drafts, of every month, meter this resource too.
    await edit({ effectiveFrom: '1950-01-01', prices: PRICES });
  });

  it('bills a draft of the current month up to now, never to its end, and refuses to finalise it', async () => {
    const { t, b, tree, pool } = world;
    const now = new Date();
    const period = now.toISOString().slice(0, 7);
    const start = `${period}-01T00:00:00Z`;
    const d = await t.world.department('department', tree.city);
    await b.card(pool, `${period}-01`, { vcpuHour: '1' });
    const r = await b.resource(d.id, pool, { vcpu: 1, memoryGiB: 0, storageGiB: 0 }, [['running', start]]);
    const run = (await post('/api/v1/rebills', { period }).expect(201)).body;
    expect(new Date(run.computedUntil).getTime()).toBeGreaterThanOrEqual(now.getTime());
    expect(new Date(run.computedUntil).getTime()).toBeLessThanOrEqual(Date.now());
    const line = (await get(`/api/v1/rebills/${run.id}/departments/${d.id}`)).body.lines.items.find(
      (l: { resourceId: string }) => l.resourceId === r,
    );
    // Exact, as the SQL rounds: a float's toFixed rounds a tie like 0.5992675 h down.
    const ms = new Date(run.computedUntil).getTime() - new Date(start).getTime();
    expect(line.quantity).toBe(roundQuantity(new Dec(ms).div(3_600_000)).toFixed(6));
    expect((await post(`/api/v1/rebills/${run.id}/finalize`, {})).status).toBe(409);
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
    expect((await post('/api/v1/rebills', { period: next }).expect(422)).body.message).toMatch(/^period/);
    await post('/api/v1/rebills', { period: '2024-2' }).expect(400);
  });

  it('refuses a period of a two-digit year, which JavaScript dates would read as 19xx', async () => {
    // Date.UTC(99, 11, 1) is 1999-12-01: "0099-12" was billed with 1999-12's usage under its own label.
    for (const period of ['0099-12', '0000-01', '1899-12']) {
      const res = await post('/api/v1/rebills', { period });
      expect({ status: res.status, message: res.body.message }).toEqual({
        status: 400,
        message: expect.stringMatching(/^period /),
      });
      const report = await get(`/api/v1/reports/usage?from=${period}&to=${period}`);
      expect({ status: report.status, message: report.body.message }).toEqual({
        status: 400,
        message: expect.stringMatching(/^from /),
      });
    }
  });

  it('is run by finance and operators only', async () => {
    const { tokens } = world;
    for (const token of [tokens.deptAdmin, tokens.auditor])
      await post('/api/v1/rebills', { period: '2018-01' }, token).expect(403);
    await get('/api/v1/rebills', tokens.auditor).expect(200);
  });
});
