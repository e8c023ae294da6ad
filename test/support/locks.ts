import type { DataSource } from 'typeorm';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds a SHARE lock on audit_entries, so every transaction that writes stops at its audit entry, the
 * last thing it does before committing; answers the function that lets them all go on.
 */
export async function pauseBeforeAudit(dataSource: DataSource): Promise<() => Promise<void>> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  await runner.query('LOCK TABLE audit_entries IN SHARE MODE');
  return async () => {
    await runner.commitTransaction();
    await runner.release();
  };
}

/** Waits until `n` other sessions wait for a lock, whichever lock: the point is that they got no further. */
export async function waitForLockWaits(dataSource: DataSource, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [{ waiting }] = await dataSource.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()`,
    );
    if (waiting >= n) return;
    await sleep(25);
  }
  throw new Error(`fewer than ${n} sessions ever waited for a lock`);
}
