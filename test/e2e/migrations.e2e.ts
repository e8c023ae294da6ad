import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { migrations } from '../../migrations/index.js';
import { RebillLineSets1796500000000 } from '../../migrations/1796500000000-RebillLineSets.js';
import { createDatabase } from '../support/database.js';

describe('migrations', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const url = await createDatabase(
      process.env.GOVCLOUD_BASE_DATABASE_URL!,
      `govcloud_mig_${Date.now().toString(36)}`,
    );
    dataSource = new DataSource(dataSourceOptions(url));
    await dataSource.initialize();
  });
  afterAll(() => dataSource.destroy());

  it('go from an empty database to head, match the entities, and come back down one step', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(migrations.map((m) => m.name));
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    await dataSource.undoLastMigration({ transaction: 'each' });
    const left = await dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(left.map((r: { name: string }) => r.name)).toEqual(migrations.slice(0, -1).map((m) => m.name));
    await dataSource.runMigrations({ transaction: 'each' });
  });

  it('carry a finalised rebill and its lines into line sets, and back', async () => {
    const url = await createDatabase(
      process.env.GOVCLOUD_BASE_DATABASE_URL!,
      `govcloud_mig_sets_${Date.now().toString(36)}`,
    );
    const upTo = migrations.findIndex((m) => m.name === RebillLineSets1796500000000.name);
    const older = new DataSource({ ...dataSourceOptions(url), migrations: migrations.slice(0, upTo) });
    await older.initialize();
    await older.runMigrations({ transaction: 'each' });
    const [{ run, line }] = await older.query(
      `WITH d AS (INSERT INTO departments (id, code, name, kind, parent_id, path)
                  VALUES (gen_random_uuid(), 'city', '市', 'city', NULL, '/') RETURNING id),
            p AS (INSERT INTO pools (id, name, type, tier, connection_sealed, capacity, allocated)
                  VALUES (gen_random_uuid(), 'p', 'fake', 'provider', 'x', '{}', '{}') RETURNING id),
            c AS (INSERT INTO rate_cards (pool_id, name, effective_from, vcpu_hour, memory_gib_hour, gpu_hour,
                                          public_ip_month, rack_unit_month)
                  SELECT id, '招标价格', '2020-01-01', '1', '1', '1', '1', '1' FROM p RETURNING id, pool_id),
            r AS (INSERT INTO rebill_runs (period, state, computed_until, computed_at, total, line_count,
                                           finalized_at)
                  VALUES ('2024-01', 'finalized', now(), now(), 1.5, 1, now()) RETURNING id),
            l AS (INSERT INTO rebill_lines (run_id, key, kind, month, department_id, resource_id, pool_id, dimension,
                                            rate_card_id, unit, usage_ms, quantity, unit_price, amount)
                  SELECT r.id, 'k', 'usage', '2024-01', d.id, c.pool_id, c.pool_id, 'vcpu', c.id, 'vCPU·h', 0, 0, 1, 1.5
                  FROM r, d, c RETURNING id)
       SELECT r.id AS run, l.id AS line FROM r, l`,
    );
    await older.destroy();

    const head = new DataSource(dataSourceOptions(url));
    await head.initialize();
    try {
      await head.runMigrations({ transaction: 'each' });
      const [shown] = await head.query(
        `SELECT r.line_set_id AS "lineSetId", l.id AS line FROM rebill_runs r
         JOIN rebill_lines l ON l.line_set_id = r.line_set_id WHERE r.id = $1`,
        [run],
      );
      expect(shown).toEqual({ lineSetId: run, line });
      // Still frozen.
      await expect(head.query('UPDATE rebill_lines SET amount = 0 WHERE id = $1', [line])).rejects.toThrow(
        /immutable/,
      );
      for (let i = upTo; i < migrations.length; i++) await head.undoLastMigration({ transaction: 'each' });
      const [back] = await head.query(
        'SELECT run_id AS "runId", amount::text FROM rebill_lines WHERE id = $1',
        [line],
      );
      expect(back).toEqual({ runId: run, amount: '1.50' });
    } finally {
      await head.destroy();
    }
  });

  it('mark a resource deleted when a writer that does not know deleted_at (an older worker mid-rollout) deletes it', async () => {
    const [{ id: department }] = await dataSource.query(
      `INSERT INTO departments (code, name, kind, path) VALUES ('mig-del', 'mig-del', 'department', '/') RETURNING id`,
    );
    const [{ id: pool }] = await dataSource.query(
      `INSERT INTO pools (id, name, type, tier, connection_sealed, capacity, allocated)
       VALUES (gen_random_uuid(), 'mig-del', 'fake', 'provider', '', '{}', '{}') RETURNING id`,
    );
    const insert = (name: string) =>
      dataSource.query(
        `INSERT INTO resources (id, department_id, pool_id, kind, name, spec, state, desired_state)
         VALUES (gen_random_uuid(), $1, $2, 'vm', $3, '{}', 'deleting', 'deleted') RETURNING id`,
        [department, pool, name],
      );
    const [{ id }] = await insert('web-01');
    const [row] = await dataSource.query(
      `UPDATE resources SET state = 'deleted', updated_at = now() WHERE id = $1 RETURNING deleted_at, updated_at`,
      [id],
    );
    expect(row.deleted_at).toEqual(row.updated_at);
    // The name is free again, and a live row cannot carry the mark.
    await insert('web-01');
    await expect(
      dataSource.query(`UPDATE resources SET deleted_at = now() WHERE id <> $1 AND name = 'web-01'`, [id]),
    ).rejects.toThrow(/ck_resources_deleted_at/);
  });

  it('look up a resource ledger by index, as a deletion does under its department quota lock', async () => {
    const plan: Array<{ 'QUERY PLAN': string }> = await dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL enable_seqscan = off`);
      return manager.query(
        `EXPLAIN SELECT * FROM quota_ledger WHERE resource_id = '00000000-0000-4000-8000-000000000000'`,
      );
    });
    expect(plan.map((line) => line['QUERY PLAN']).join('\n')).not.toMatch(/Seq Scan/);
  });
});
