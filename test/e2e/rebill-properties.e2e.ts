import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AppConfig } from '../../src/config/config.js';
import { AuditService } from '../../src/modules/audit/audit.service.js';
import { meterResource, priceLines, type MeterEvent } from '../../src/modules/billing/metering.js';
import { Dec, sum } from '../../src/modules/billing/money.js';
import { RateCardsService } from '../../src/modules/billing/rate-cards.service.js';
import { RebillsService } from '../../src/modules/billing/rebills.service.js';
import { parsePeriod } from '../../src/modules/billing/period.js';
import { BillingWorld } from '../support/billing.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';

const STATES = ['provisioning', 'running', 'running', 'stopped', 'deleting', 'deleted', 'failed'] as const;
const DAY = 86_400_000;

/** A resource's random history inside a month and the month before it. */
const historyArb = fc.array(
  fc.record({
    at: fc.integer({ min: -20 * DAY, max: 31 * DAY }),
    state: fc.constantFrom(...STATES),
    spec: fc.record({
      vcpu: fc.integer({ min: 0, max: 32 }),
      memoryGiB: fc.integer({ min: 0, max: 64 }).map((m) => m / 2),
      storageGiB: fc.integer({ min: 0, max: 500 }),
      gpu: fc.constantFrom(0, 0, 1),
      replicas: fc.constantFrom(1, 1, 3),
      publicIp: fc.boolean(),
      storageTier: fc.constantFrom(undefined, 'ssd'),
    }),
  }),
  { minLength: 1, maxLength: 8 },
);

const caseArb = fc.record({
  resources: fc.array(fc.record({ dept: fc.integer({ min: 0, max: 3 }), history: historyArb }), {
    minLength: 1,
    maxLength: 5,
  }),
  cardDays: fc.uniqueArray(fc.integer({ min: 1, max: 27 }), { maxLength: 2 }),
  prices: fc.array(
    fc.integer({ min: 1, max: 999_999 }).map((p) => new Dec(p).div(10_000).toFixed()),
    { minLength: 3, maxLength: 3 },
  ),
});

describe('rebill properties (SQL against the metering model, totals, reproducibility, immutability)', () => {
  let t: TestApp;
  let b: BillingWorld;
  let finance: string;
  let month = 0;

  let inThreeParts: RebillsService;

  beforeAll(async () => {
    t = await startApp();
    b = new BillingWorld(t.dataSource);
    finance = await t.world.token('finance');
    const config = t.app.get(AppConfig);
    expect(config.REBILL_PARALLELISM).not.toBe(3);
    inThreeParts = new RebillsService(t.dataSource, t.app.get(AuditService), t.app.get(RateCardsService), {
      ...config,
      REBILL_PARALLELISM: 3,
    });
  });
  afterAll(() => t.close());

  it('rounds an amount a hair below a half fen down, as the metering model does', async () => {
    const pool = await b.pool();
    await b.card(pool, '1959-01-01', { gpuHour: '17.114377' });
    const d = await t.world.department('city');
    // 2678399687 ms × 17.114377 / 3600000 = 12733.094999999999722… CNY: a division rounded to 16
    // significant digits first makes it 12733.095, and then 12733.10.
    const gpu = await b.resource(d.id, pool, { vcpu: 0, memoryGiB: 0, storageGiB: 0, gpu: 1 }, [
      ['running', '1959-03-01T00:00:00.313Z'],
    ]);
    const run = await t.app.get(RebillsService).compute('1959-03');
    const [line] = await t.dataSource.query(
      `SELECT id, quantity::text, amount::text FROM rebill_lines WHERE line_set_id = $1 AND resource_id = $2`,
      [run.lineSetId, gpu],
    );
    expect(line).toMatchObject({ quantity: '743.999913', amount: '12733.09' });
    const why = await t
      .http()
      .get(`/api/v1/rebills/${run.id}/lines/${line.id}`)
      .set(bearer(finance))
      .expect(200);
    expect(why.body).toMatchObject({ recomputed: { amount: '12733.09' }, consistent: true });
  });

  it('holds on random cities', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ resources, cardDays, prices }) => {
        // A month of the 1960s no other test uses; one tree and one pool per case.
        const period = new Date(Date.UTC(1960, month++ * 2, 1)).toISOString().slice(0, 7);
        const p = parsePeriod(period);
        const city = await t.world.department('city');
        const d1 = await t.world.department('department', city);
        const depts = [
          city,
          d1,
          await t.world.department('unit', d1),
          await t.world.department('department', city),
        ];
        const pool = await b.pool();
        await b.card(pool, '1950-01-01');
        for (const [i, day] of cardDays.entries())
          await b.card(pool, `${period}-${String(day).padStart(2, '0')}`, {
            vcpuHour: prices[i],
            memoryGiBHour: prices[2],
          });
        const ids: string[] = [];
        for (const r of resources) {
          const steps = [...r.history]
            .sort((x, y) => x.at - y.at)
            .map((h): [string, string, Record<string, unknown>] => [
              h.state,
              new Date(p.from.getTime() + h.at).toISOString(),
              h.spec,
            ]);
          ids.push(await b.resource(depts[r.dept].id, pool, r.history[0].spec, steps));
        }

        const service = t.app.get(RebillsService);
        const run = await service.compute(period);
        const http = (path: string) => t.http().get(path).set(bearer(finance)).expect(200);

        // The SQL agrees with the metering model, line by line.
        const cards = await t.app.get(RateCardsService).terms();
        const rows: MeterEvent[] = await t.dataSource.query(
          `SELECT id::text AS id, resource_id AS "resourceId", department_id AS "departmentId", pool_id AS "poolId",
                  to_state AS "toState", spec, date_trunc('milliseconds', occurred_at) AS "occurredAt"
           FROM resource_events WHERE resource_id = ANY($1) ORDER BY resource_id, occurred_at, id`,
          [ids],
        );
        const expected = ids.flatMap((id) =>
          priceLines(
            meterResource(
              rows.filter((e) => e.resourceId === id),
              cards,
              { from: p.from, to: p.end },
            ),
            cards,
          ),
        );
        const stored: Array<{
          key: string;
          quantity: string;
          amount: string;
          department_id: string;
          resource_id: string;
        }> = await t.dataSource.query(
          `SELECT key, quantity::text, amount::text, department_id, resource_id FROM rebill_lines WHERE line_set_id = $1 ORDER BY key`,
          [run.lineSetId],
        );
        // Earlier cases' resources may still run in this month; this case's are compared.
        const mine = stored.filter((l) => ids.includes(l.resource_id));
        expect(mine.map((l) => [l.key, l.quantity, l.amount])).toEqual(
          expected
            .sort((x, y) => (x.key < y.key ? -1 : 1))
            .map((l) => [l.key, l.quantity.toFixed(6), l.amount.toFixed(2)]),
        );

        // Department total == sum of its lines; subtree == own + children's subtrees; run total == sum of lines.
        const view = (await http(`/api/v1/rebills/${run.id}`)).body;
        expect(new Dec(view.total).eq(sum(stored.map((l) => new Dec(l.amount))))).toBe(true);
        for (const d of depts) {
          const row = view.departments.find((x: { departmentId: string }) => x.departmentId === d.id);
          const own = sum(stored.filter((l) => l.department_id === d.id).map((l) => new Dec(l.amount)));
          expect(new Dec(row?.own ?? 0).eq(own)).toBe(true);
          const children = view.departments.filter((x: { parentId: string }) => x.parentId === d.id);
          const subtree = own.plus(sum(children.map((c: { subtree: string }) => new Dec(c.subtree))));
          expect(new Dec(row?.subtree ?? 0).eq(subtree)).toBe(true);
        }

        // Recomputing from the same events gives byte-identical CSV, whatever the number of parts the
        // lines are metered in; a finalised run never changes.
        const csv = (await http(`/api/v1/rebills/${run.id}?format=csv`)).text;
        await inThreeParts.compute(period);
        expect((await http(`/api/v1/rebills/${run.id}?format=csv`)).text).toBe(csv);
        await service.finalize(run.id, null);
        await expect(service.compute(period)).rejects.toThrow(/finalized/);
        await b.events(ids[0], depts[0].id, pool, { vcpu: 64 }, [
          ['running', new Date(p.from.getTime() + DAY).toISOString()],
        ]);
        expect((await http(`/api/v1/rebills/${run.id}?format=csv`)).text).toBe(csv);
      }),
      { numRuns: 12, endOnFailure: true },
    );
  }, 180_000);
});
