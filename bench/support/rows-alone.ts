// The database floor of provisioning: the rows a resource must leave, written by bare SQL.
import pg from 'pg';
import { timeOrderedUuid } from '../../src/common/time-ordered-uuid.js';
import { cpuMeter, type CpuPart } from './cpu.js';
import { concurrently, perItem } from './runs.js';

/** Enough connections to keep PostgreSQL's two cores busy. */
const CONNECTIONS = 4;

// The floor's statements: what each resource must leave in PostgreSQL (its row in three versions, four
// events, four audit entries, a reserve and a commit in the quota ledger), in bare SQL, none of the
// control plane's reading, checking, locking or queueing. $1 the batch's ids.
const FLOOR_STEPS = `(VALUES (1, NULL, 'requested', NULL), (2, 'requested', 'queued', 'placed')) AS s(k, from_state, to_state, reason)`;
const FLOOR_ADMIT = `WITH ids AS (SELECT id, n FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)),
  inserted AS (
    INSERT INTO resources (id, department_id, pool_id, kind, name, spec, labels, critical, state, desired_state)
    SELECT id, $2, $3, 'container', $5 || n, $4::jsonb, '{}', false, 'queued', 'running' FROM ids RETURNING id),
  events AS (
    INSERT INTO resource_events (resource_id, department_id, pool_id, type, from_state, to_state, spec, reason)
    SELECT id, $2, $3, 'transition', s.from_state, s.to_state, $4::jsonb, s.reason FROM ids, ${FLOOR_STEPS} ORDER BY n, k),
  audit AS (
    INSERT INTO audit_entries (actor_name, role, action, target_type, target_id, department_id, before, after)
    SELECT 'bench', 'dept-admin', 'resource.' || s.to_state, 'resource', id::text, $2,
      jsonb_build_object('state', s.from_state), jsonb_build_object('state', s.to_state, 'reason', s.reason)
    FROM ids, ${FLOOR_STEPS} ORDER BY n, k),
  reserved AS (
    INSERT INTO quota_ledger (department_id, resource_id, action, vcpu, memory_gib, instances)
    SELECT $2, id, 'reserve', 1, 1, 1 FROM ids)
  SELECT count(*) FROM inserted`;
const floorMove = (commit: boolean) => `WITH moved AS (
    UPDATE resources SET state = $3, observed = $4::jsonb, updated_at = now()
    WHERE id = ANY($1::uuid[]) AND state = $2 RETURNING id, department_id, pool_id, spec),
  events AS (
    INSERT INTO resource_events (resource_id, department_id, pool_id, type, from_state, to_state, spec, reason)
    SELECT id, department_id, pool_id, 'transition', $2, $3, spec, NULL FROM moved),
  audit AS (
    INSERT INTO audit_entries (actor_name, action, target_type, target_id, department_id, before, after)
    SELECT 'system', 'resource.' || $3, 'resource', id::text, department_id,
      jsonb_build_object('state', $2::text), jsonb_build_object('state', $3::text, 'reason', NULL)
    FROM moved)
  ${commit ? `, committed AS (INSERT INTO quota_ledger (department_id, resource_id, action) SELECT department_id, id, 'commit' FROM moved)` : ''}
  SELECT count(*) FROM moved`;

/**
 * The database floor: `total` resources' rows written in batches of `perBatch` (admission, then the
 * two moves, each its own transaction as ours are) on CONNECTIONS connections, straight from here.
 */
export async function rowsAlone(
  databaseUrl: string,
  parts: { PostgreSQL: CpuPart; clients: CpuPart },
  departmentId: string,
  poolId: string,
  perBatch: number,
  total: number,
) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONNECTIONS });
  const spec = JSON.stringify({ vcpu: 1, memoryGiB: 1, storageGiB: 0, image: 'nginx:1.27' });
  const tag = `floor-${perBatch}-${Date.now().toString(36)}`;
  try {
    const cpu = await cpuMeter(parts);
    const started = performance.now();
    await concurrently(total / perBatch, CONNECTIONS, async (i) => {
      const ids = Array.from({ length: perBatch }, () => timeOrderedUuid()); // time-ordered, as admission makes them
      await pool.query(FLOOR_ADMIT, [ids, departmentId, poolId, spec, `${tag}-${i}-`]);
      await pool.query(floorMove(false), [ids, 'queued', 'provisioning', null]);
      await pool.query(floorMove(true), [ids, 'provisioning', 'running', '{"phase":"running"}']);
    });
    const rate = total / ((performance.now() - started) / 1000);
    // Read while the connections are open: a backend that has exited counts nothing.
    const used = await cpu();
    // Gone, so that the reconciler in our runs' workers does not make their objects (none exist).
    await pool.query(`UPDATE resources SET state = 'deleted' WHERE pool_id = $1 AND state <> 'deleted'`, [
      poolId,
    ]);
    return { rate, cpu: perItem(used, total) };
  } finally {
    await pool.end();
  }
}
