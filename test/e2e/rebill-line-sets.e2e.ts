// A draft's lines are metered on several connections and published by one update of its run
// (rebills.service.ts): what readers see meanwhile, and what a replaced, failed or crashed compute
// leaves behind.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppConfig } from '../../src/config/config.js';
import { BillingWorld } from '../support/billing.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';

/** A random resource id whose first hex digit is given: low ids and high ids are metered by different parts. */
const idStarting = (digit: string) => digit + randomUUID().slice(1);

type LineSet = { id: string; shown: boolean; superseded: boolean; lines: number };

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
  /** A period's line sets, oldest first: shown by its run or not, replaced or not, and their lines. */
  const sets = (period: string): Promise<LineSet[]> =>
    t.dataSource.query(
      `SELECT s.id, EXISTS (SELECT 1 FROM rebill_runs r WHERE r.line_set_id = s.id) AS shown,
              s.superseded_at IS NOT NULL AS superseded,
              (SELECT COUNT(*)::int FROM rebill_lines l WHERE l.line_set_id = s.id) AS lines
       FROM rebill_line_sets s WHERE s.period = $1 ORDER BY s.created_at`,
      [period],
    );
  /** What a compute killed after a part committed leaves: a registered set no run shows, with a line. */
  const crashedSet = async (period: string) => {
    const id = randomUUID();
    await t.dataSource.query('INSERT INTO rebill_line_sets (id, period) VALUES ($1, $2)', [id, period]);
    await t.dataSource.query(
      `INSERT INTO rebill_lines (line_set_id, key, kind, month, department_id, resource_id, pool_id, dimension,
                                 rate_card_id, unit, usage_ms, quantity, unit_price, amount)
       VALUES ($1, 'half-written', 'usage', $2, $3, $4, $4, 'vcpu', $4, 'vCPU·h', 0, 0, 0, 1)`,
      [id, period, dept, pool],
    );
    return id;
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

  it('shows the previous draft until a recompute publishes, then the new one; keeps the old a while for readers', async () => {
    const low = await b.resource(dept, pool, spec, [['running', '2017-01-01T00:00:00Z']], idStarting('1'));
    await b.resource(dept, pool, spec, [['running', '2017-01-10T00:00:00Z']], idStarting('c'));
    const run = (await compute('2017-02').expect(201)).body;
    const before = await csv(run.id);
    const [first] = await sets('2017-02');
    await b.events(low, dept, pool, spec, [['stopped', '2017-02-15T00:00:00Z']]);

    // Hold the recompute just before it commits: it rewrites the cards its run used, last.
    const blocker = t.dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query('LOCK TABLE rebill_run_cards IN EXCLUSIVE MODE');
    const recompute = compute('2017-02').then((res) => res);
    try {
      for (;;) {
        const [{ waiting }] = await t.dataSource.query(
          `SELECT COUNT(*)::int AS waiting FROM pg_locks WHERE relation = 'rebill_run_cards'::regclass AND NOT granted`,
        );
        if (waiting > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Both parts have committed their lines, yet the run still shows the first set.
      const during = await sets('2017-02');
      expect(during.map((s) => [s.shown, s.lines > 0])).toEqual([
        [true, true],
        [false, true],
      ]);
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
    // The replaced set stays whole for a reader that read the run before the switch…
    expect(await sets('2017-02')).toEqual([
      { ...first, shown: false, superseded: true },
      expect.objectContaining({ shown: true, superseded: false }),
    ]);
    // …until it has been replaced for longer than SUPERSEDED_SETS_KEPT_MS (15 minutes); then any compute sweeps it.
    await t.dataSource.query(
      `UPDATE rebill_line_sets SET superseded_at = now() - interval '14 minutes' WHERE id = $1`,
      [first.id],
    );
    await compute('2017-03').expect(201);
    expect((await sets('2017-02')).map((s) => s.id)).toContain(first.id);
    await t.dataSource.query(
      `UPDATE rebill_line_sets SET superseded_at = now() - interval '16 minutes' WHERE id = $1`,
      [first.id],
    );
    await compute('2017-03').expect(201);
    expect((await sets('2017-02')).map((s) => s.id)).not.toContain(first.id);
    const [{ orphans }] = await t.dataSource.query(
      'SELECT COUNT(*)::int AS orphans FROM rebill_lines WHERE line_set_id = $1',
      [first.id],
    );
    expect(orphans).toBe(0);
  });

  it('leaves the previous draft as it was, and nothing behind, when a part fails', async () => {
    await b.resource(dept, pool, spec, [['running', '2017-03-01T00:00:00Z']], idStarting('2'));
    const run = (await compute('2017-04').expect(201)).body;
    const before = await csv(run.id);
    const shown = await sets('2017-04');
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
    expect(await sets('2017-04')).toEqual(shown);
  });

  it('deletes what a crashed compute left, of any period, but not a set a running compute is writing', async () => {
    await b.resource(dept, pool, spec, [['running', '2017-05-01T00:00:00Z']], idStarting('3'));
    const crashed = await crashedSet('2017-06');
    const elsewhere = await crashedSet('2017-08');
    // A compute of 2017-09 holds its period's lock (in another process, say) while it writes this set.
    const writing = await crashedSet('2017-09');
    const other = t.dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rebill:2017-09']);
    try {
      const run = (await compute('2017-06').expect(201)).body;
      const ids = async (period: string) => (await sets(period)).map((s) => s.id);
      expect(await ids('2017-06')).not.toContain(crashed);
      expect(await ids('2017-08')).not.toContain(elsewhere);
      expect(await ids('2017-09')).toEqual([writing]);
      const [{ halfWritten }] = await t.dataSource.query(
        `SELECT COUNT(*)::int AS "halfWritten" FROM rebill_lines WHERE line_set_id = ANY($1)`,
        [[crashed, elsewhere]],
      );
      expect(halfWritten).toBe(0);
      expect(run.lineCount).toBeGreaterThan(0);
    } finally {
      await other.commitTransaction();
      await other.release();
    }
  });
});
