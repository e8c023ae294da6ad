import type { DataSource, EntityManager } from 'typeorm';

/**
 * Holds PostgreSQL session locks on the resources for the whole job, so two jobs for one resource (a
 * provision and a delete, or a job a stalled worker still runs) never drive its object at once. The locks
 * die with the session, so a worker killed mid-job frees them at once. They are taken in key order (an
 * array sorted by array_agg's ORDER BY, read back by unnest in its order), so jobs with overlapping sets
 * cannot deadlock; the key is the id's canonical text, whatever its case in the payload. Key space
 * 0x6763 ('gc') apart.
 */
export async function withResourceLocks<T>(
  dataSource: DataSource,
  ids: string[],
  fn: (m: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(
      `SELECT count(pg_advisory_lock(key)) FROM unnest((
         SELECT array_agg(DISTINCT key ORDER BY key)
         FROM (SELECT hashtextextended(id::text, 26467) AS key FROM unnest($1::uuid[]) AS id) AS keys
       )) AS key`,
      [ids],
    );
    return await fn(runner.manager);
  } finally {
    // All the session's locks (the connection is the job's alone): a lock statement that failed partway
    // leaves none behind on the pooled connection either.
    await runner.query(`SELECT pg_advisory_unlock_all()`).finally(() => runner.release());
  }
}
