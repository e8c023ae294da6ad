// Runs pending migrations and exits: the Kubernetes migration Job and `docker run IMAGE migrate`.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './database/data-source-options.js';
import { loadConfig } from './config/config.js';
import { loadDotEnv, runOrExit } from './process.js';

loadDotEnv();
await runOrExit(async () => {
  const dataSource = new DataSource(dataSourceOptions(loadConfig().DATABASE_URL, 'govcloud-migrate'));
  await dataSource.initialize();
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  console.log(JSON.stringify({ msg: 'migrations applied', migrations: applied.map((m) => m.name) }));
  await dataSource.destroy();
});
