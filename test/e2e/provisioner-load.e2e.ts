import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { RESOURCES_PER_JOB } from '../../src/modules/jobs/job-catalogue.js';
import { LOAD } from '../../src/modules/provisioning/jobs/provisioner.service.js';
import { createDatabase, migrate } from '../support/database.js';

/** The rows each read of the resources table returned, and those it read and threw away. */
function resourceReads(node: Record<string, unknown>): Array<{ rows: unknown; removed: number }> {
  const own =
    node['Relation Name'] === 'resources'
      ? [
          {
            rows: node['Actual Rows'],
            removed:
              Number(node['Rows Removed by Filter'] ?? 0) +
              Number(node['Rows Removed by Index Recheck'] ?? 0),
          },
        ]
      : [];
  return [
    ...own,
    ...((node.Plans as Array<Record<string, unknown>> | undefined) ?? []).flatMap(resourceReads),
  ];
}

describe("a converge job's load", () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const url = await createDatabase(
      process.env.GOVCLOUD_BASE_DATABASE_URL!,
      `govcloud_load_${Date.now().toString(36)}`,
    );
    await migrate(url);
    dataSource = new DataSource(dataSourceOptions(url));
    await dataSource.initialize();
  });
  afterAll(() => dataSource?.destroy());

  it('reads its resources by id, whatever the statistics say of their department', async () => {
    // A department with 20,000 resources, and statistics taken while the table was empty (as on a new
    // install before autovacuum's first pass): joined from departments straight away, the resources
    // would be read through the department's index, all 20,000 of them for each job.
    const [{ department, pool }] = await dataSource.query(
      `WITH d AS (INSERT INTO departments (code, name, kind, path) VALUES ('d', '部门', 'department', '/')
                  RETURNING id),
            others AS (INSERT INTO departments (code, name, kind, path) VALUES ('e', '其他', 'department', '/'),
                       ('f', '其他', 'department', '/')),
            p AS (INSERT INTO pools (id, name, type, tier, connection_sealed, capacity, allocated)
                  VALUES (gen_random_uuid(), 'p', 'fake', 'provider', 'x', '{}', '{}') RETURNING id)
       SELECT d.id AS department, p.id AS pool FROM d, p`,
    );
    await dataSource.query('VACUUM ANALYZE');
    await dataSource.query(
      `INSERT INTO resources (id, department_id, pool_id, kind, name, spec, labels, critical, state, desired_state)
       SELECT gen_random_uuid(), $1, $2, 'container', 'web-' || n, '{}', '{}', false, 'queued', 'running'
       FROM generate_series(1, 20000) AS n`,
      [department, pool],
    );
    const ids = (await dataSource.query(`SELECT id FROM resources LIMIT $1`, [RESOURCES_PER_JOB])).map(
      (r: { id: string }) => r.id,
    );

    const [{ 'QUERY PLAN': plans }] = await dataSource.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${LOAD}`, [ids]);
    expect(resourceReads(plans[0].Plan)).toEqual([{ rows: RESOURCES_PER_JOB, removed: 0 }]);
  });
});
