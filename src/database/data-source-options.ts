import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';

/** `application` names the process's sessions in pg_stat_activity, for whoever looks for a lock's holder. */
export function dataSourceOptions(databaseUrl: string, application = 'govcloud'): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities,
    migrations,
    // The schema changes only through migrations, everywhere, tests included.
    synchronize: false,
    uuidExtension: 'pgcrypto',
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    applicationName: application,
    extra: {
      max: 20,
      connectionTimeoutMillis: 5000,
      // A transaction left open by a bug or a hung client would keep its row locks (a department's quota
      // row) until the process died: PostgreSQL ends it after a minute instead. No driver call runs inside
      // a transaction (a converge job holds a session lock), so nothing legitimate idles that long but a
      // rebill compute waiting for its parts, which lifts the limit for its own transaction.
      idle_in_transaction_session_timeout: 60_000,
      // Times are UTC (DESIGN.md): a server whose zone is Asia/Shanghai must not move the dates SQL makes
      // (::date casts; a query about the city's days names its zone, endOfChinaDaySql). The startup option
      // outranks postgresql.conf and ALTER DATABASE.
      options: '-c TimeZone=UTC',
    },
  };
}
