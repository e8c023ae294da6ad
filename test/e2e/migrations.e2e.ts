import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { migrations } from '../../migrations/index.js';
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
});
