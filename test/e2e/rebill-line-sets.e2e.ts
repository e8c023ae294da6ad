// A draft's lines are metered on several connections and published by one update of its run
// (rebills.service.ts): what readers see meanwhile, and what a failed or crashed compute leaves behind.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppConfig } from '../../src/config/config.js';
import { BillingWorld } from '../support/billing.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';

/** A random resource id whose first hex digit is given: low ids and high ids are metered by different parts. */
const idStarting = (digit: string) => digit + randomUUID().slice(1);

describe('rebill line sets', () => {
  let t: TestApp;
  let b: BillingWorld;
  let finance: string;
  let dept: string;
  let pool: string;
  const spec = { vcpu: 2, memoryGiB: 4, storageGiB: 100 };

  const csv = async (id: string) =>
    (await t.http().get(`/api/v1/rebills/${id}?format=csv`).set(bearer(finance)).expect(200)).text;
  const compute = (period: string) => t.http().post('/api/v1/rebills').set(bearer(finance)).send({ period });
  /** Lines no run shows, and the line sets of a period. */
  const leftovers = async (period: string) => {
    const [{ lines }] = await t.dataSource.query(
      `SELECT COUNT(*)::int AS lines FROM rebill_lines l
       WHERE NOT EXISTS (SELECT 1 FROM rebill_runs r WHERE r.line_set_id = l.line_set_id)`,
    );
    const [{ sets }] = await t.dataSource.query(
      'SELECT COUNT(*)::int AS sets FROM rebill_line_sets WHERE period = $1',
      [period],
    );
    return { lines, sets };
  };

  beforeAll(async () => {
    t = await startApp();
    b = new BillingWorld(t.dataSource);
    const city = await t.world.department('city');
    dept = (await t.world.department('department', city)).id;
    finance = await t.world.token('finance');
    pool = await b.pool();
    await b.card(pool, '2010-01-01');
    // Two parts: resource ids below 8… and from 8… on.
    expect(t.app.get(AppConfig).REBILL_PARALLELISM).toBe(2);
  });
  afterAll(() => t.close());

  it('shows the previous draft until a recompute publishes, then the new one', async () => {
    const low = await b.resource(dept, pool, spec, [['running', '2017-01-01T00:00:00Z']], idStarting('1'));
    await b.resource(dept, pool, spec, [['running', '2017-01-10T00:00:00Z']], idStarting('c'));
    const run = (await compute('2017-02').expect(201)).body;
    const before = await csv(run.id);
    await b.events(low, dept, pool, spec, [['stopped', '2017-02-15T00:00:00Z']]);

    // Hold the recompute just before it commits: it rewrites the cards its run used, last.
    const blocker = t.dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query('LOCK TABLE rebill_run_cards IN EXCLUSIVE MODE');
    const recompute = compute('2017-02').then((res) => res);
    try {
      // Both parts have committed their lines when the run is being pointed at them.
      for (;;) {
        const [{ waiting }] = await t.dataSource.query(
          `SELECT COUNT(*)::int AS waiting FROM pg_locks WHERE relation = 'rebill_run_cards'::regclass AND NOT granted`,
        );
        if (waiting > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await leftovers('2017-02')).lines).toBeGreaterThan(0);
      expect(await csv(run.id)).toBe(before);
      const view = (await t.http().get(`/api/v1/rebills/${run.id}`).set(bearer(finance)).expect(200)).body;
      expect(view.total).toBe(run.total);
    } finally {
      await blocker.commitTransaction();
      await blocker.release();
    }
    const after = (await recompute).body;
    expect(after.id).toBe(run.id);
    expect(Number(after.total)).toBeLessThan(Number(run.total));
    expect(await csv(run.id)).not.toBe(before);
    // The replaced set is gone.
    expect(await leftovers('2017-02')).toEqual({ lines: 0, sets: 1 });
  });

  it('leaves the previous draft as it was, and nothing behind, when a part fails', async () => {
    await b.resource(dept, pool, spec, [['running', '2017-03-01T00:00:00Z']], idStarting('2'));
    const run = (await compute('2017-04').expect(201)).body;
    const before = await csv(run.id);
    // A storage tier the card does not price fails the part metering high ids; the other part commits.
    await b.resource(
      dept,
      pool,
      { ...spec, storageTier: 'nvme' },
      // Deleted within the month: the other tests' months (and files) run in the same database.
      [
        ['running', '2017-04-02T00:00:00Z'],
        ['deleted', '2017-04-03T00:00:00Z'],
      ],
      idStarting('e'),
    );
    const failed = await compute('2017-04').expect(422);
    expect(failed.body.message).toMatch(/^rateCards: .*storage tier/);
    expect(await csv(run.id)).toBe(before);
    expect(await leftovers('2017-04')).toEqual({ lines: 0, sets: 1 });
  });

  it('deletes the lines a crashed compute left when the period is next computed', async () => {
    await b.resource(dept, pool, spec, [['running', '2017-05-01T00:00:00Z']], idStarting('3'));
    // What a compute killed after a part committed leaves: a registered set no run shows, with lines.
    const crashed = randomUUID();
    await t.dataSource.query(`INSERT INTO rebill_line_sets (id, period) VALUES ($1, '2017-06')`, [crashed]);
    await t.dataSource.query(
      `INSERT INTO rebill_lines (line_set_id, key, kind, month, department_id, resource_id, pool_id, dimension,
                                 rate_card_id, unit, usage_ms, quantity, unit_price, amount)
       VALUES ($1, 'half-written', 'usage', '2017-06', $2, $3, $3, 'vcpu', $3, 'vCPU·h', 0, 0, 0, 1)`,
      [crashed, dept, pool],
    );
    expect(await leftovers('2017-06')).toEqual({ lines: 1, sets: 1 });
    const run = (await compute('2017-06').expect(201)).body;
    expect(await leftovers('2017-06')).toEqual({ lines: 0, sets: 1 });
    const [{ shown }] = await t.dataSource.query(
      `SELECT COUNT(*) FILTER (WHERE key = 'half-written')::int AS shown FROM rebill_lines
       WHERE line_set_id = (SELECT line_set_id FROM rebill_runs WHERE id = $1)`,
      [run.id],
    );
    expect(run.lineCount).toBeGreaterThan(0);
    expect(shown).toBe(0);
  });
});
