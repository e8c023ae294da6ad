// Migration tracking benchmark (issue 5): a 10,000-row spreadsheet import over HTTP, and the statistics
// table over 2,000 departments and 60,000 systems (50,000 generated, the 10,000 imported) rebuilt from
// their status history.
// Run: node --import ./scripts/register.mjs scripts/with-services.ts node --import ./scripts/register.mjs bench/migration.ts
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { resetConfig } from '../src/config/config.js';
import { MigrationReportService } from '../src/modules/migration/migration-report.service.js';
import type { Principal } from '../src/modules/auth/principal.js';
import { createDatabase, migrate } from '../test/support/database.js';
import { bearer, startApp } from '../test/support/harness.js';

const IMPORT_ROWS = 10_000;
const DEPARTMENTS = 2_000;
const SYSTEMS = 50_000;

function bench(figure: string, value: number, unit: string, label: string): void {
  console.log(`${label}: ${value.toFixed(unit === 's' ? 3 : 1)} ${unit}`);
  console.log(`BENCH ${JSON.stringify({ figure, value: Number(value.toFixed(3)), unit })}`);
}

const base = process.env.DATABASE_URL!;
if (!base) throw new Error('DATABASE_URL is not set: run through scripts/with-services.ts');
process.env.DATABASE_URL = await createDatabase(base, `govcloud_bench_migration_${Date.now().toString(36)}`);
await migrate(process.env.DATABASE_URL);
process.env.JWT_SECRET ??= randomBytes(32).toString('hex');
process.env.SECRET_KEY ??= randomBytes(32).toString('hex');
process.env.LOG_LEVEL ??= 'silent';
process.env.QUEUE_PREFIX ??= `bench-${Date.now().toString(36)}`;
resetConfig();

const t = await startApp();
try {
  // --- import: one XLSX of 10,000 systems, uploaded as a department would ---
  const city = await t.world.department('city');
  const dept = await t.world.department('department', city);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('信息系统');
  sheet.addRow([
    '部门编码',
    '系统名称',
    '用途',
    '密级',
    '等保级别',
    '架构',
    '数据库',
    '数据量(GB)',
    '用户数',
    '可用性要求',
  ]);
  for (let i = 0; i < IMPORT_ROWS; i++)
    sheet.addRow([
      dept.code,
      `业务系统-${i}`,
      '政务服务',
      i % 10 ? '非涉密' : '涉密',
      (i % 4) + 1,
      'B/S',
      'MySQL',
      i,
      i % 900,
      '一般',
    ]);
  const file = Buffer.from(await workbook.xlsx.writeBuffer());
  const operator = await t.world.token('operator');
  let started = performance.now();
  const res = await t
    .http()
    .post('/api/v1/systems/import')
    .set(bearer(operator))
    .attach('file', file, 'bench.xlsx');
  let seconds = (performance.now() - started) / 1000;
  if (res.status !== 200 || res.body.created !== IMPORT_ROWS)
    throw new Error(`import answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  console.log(`import of ${IMPORT_ROWS} rows (${(file.length / 1024).toFixed(0)} KiB XLSX)`);
  bench('migration.import.10k.seconds', seconds, 's', '  seconds');
  bench('migration.import.10k.rate', IMPORT_ROWS / seconds, 'rows/s', '  rows/s');

  // --- the statistics table: 2,000 departments, 50,000 more systems (60,000 in all) with a history each ---
  await t.dataSource.query(
    `WITH districts AS (
       INSERT INTO departments (id, code, name, kind, parent_id, path)
       SELECT id, 'bench-d-' || g, '区' || g, 'district', $1, $2 || id || '/'
       FROM (SELECT gen_random_uuid() AS id, g FROM generate_series(1, 20) g) x RETURNING id, path)
     INSERT INTO departments (id, code, name, kind, parent_id, path)
     SELECT x.id, 'bench-' || g, '部门' || g, 'department', d.id, d.path || x.id || '/'
     FROM (SELECT gen_random_uuid() AS id, g, row_number() OVER () AS n FROM generate_series(1, $3::int) g) x
     JOIN (SELECT id, path, row_number() OVER () - 1 AS k FROM districts) d ON d.k = x.n % 20`,
    [city.id, city.path, DEPARTMENTS - 20 - 2],
  );
  await t.dataSource.query(
    `INSERT INTO information_systems (id, department_id, name, classification, protection_level, architecture, difficulty_score, suggested_strategy, status)
     SELECT gen_random_uuid(), d.ids[1 + g % d.n], 'bench-system-' || g,
            CASE WHEN g % 10 = 0 THEN 'classified' ELSE 'non-classified' END, 2, 'B/S', g % 60, 'rehost', 'inventoried'
     FROM generate_series(1, $1::int) g,
          (SELECT array_agg(id) AS ids, count(*)::int AS n FROM departments WHERE code LIKE 'bench-%' AND kind = 'department') d`,
    [SYSTEMS],
  );
  // History: all inventoried 200 days ago; 40% migrating 100 days ago; 30% migrated 50 days ago.
  await t.dataSource.query(
    `INSERT INTO migration_transitions (subject_type, subject_id, department_id, from_status, to_status, at, actor_name)
     SELECT 'system', s.id, s.department_id, p.from_status, p.to_status, now() - p.ago, 'bench'
     FROM information_systems s
     JOIN LATERAL (VALUES (NULL, 'inventoried', interval '200 days', 0), ('inventoried', 'migrating', interval '100 days', 40),
                          ('migrating', 'migrated', interval '50 days', 70)) AS p(from_status, to_status, ago, threshold)
       ON abs(hashtext(s.id::text)) % 100 >= p.threshold OR p.threshold = 0
     WHERE s.name LIKE 'bench-system-%'`,
  );
  await t.dataSource.query('ANALYZE');
  const reports = t.app.get(MigrationReportService);
  const principal: Principal = { userId: 'bench', username: 'bench', role: 'operator', departmentId: null };
  const [{ systems }] = await t.dataSource.query('SELECT count(*)::int AS systems FROM information_systems');
  const [{ departments }] = await t.dataSource.query('SELECT count(*)::int AS departments FROM departments');
  console.log(`statistics table over ${departments} departments and ${systems} systems`);
  for (const [label, asOf] of [
    ['today', undefined],
    ['75 days ago', new Date(Date.now() - 75 * 86_400_000).toISOString().slice(0, 10)],
  ] as const) {
    await reports.report(principal, asOf); // warm the caches once; the timed run is the second
    started = performance.now();
    const table = await reports.report(principal, asOf);
    seconds = (performance.now() - started) / 1000;
    const figure = asOf ? 'migration.report.past' : 'migration.report.today';
    console.log(`  asOf ${label}: ${table.rows.length} rows, ${table.totals.migrated} migrated`);
    bench(`${figure}.seconds`, seconds, 's', '  seconds');
    bench(`${figure}.rate`, systems / seconds, 'systems/s', '  systems/s');
  }
  started = performance.now();
  const xlsx = await reports.reportFile(principal, 'xlsx');
  seconds = (performance.now() - started) / 1000;
  console.log(`  XLSX of the table: ${(xlsx.length / 1024).toFixed(0)} KiB`);
  bench('migration.report.xlsx.seconds', seconds, 's', '  seconds');
} finally {
  await t.close();
  // The benchmark's database is scratch: drop it.
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(
    `DROP DATABASE IF EXISTS "${new URL(process.env.DATABASE_URL).pathname.slice(1)}" WITH (FORCE)`,
  );
  await admin.end();
}
