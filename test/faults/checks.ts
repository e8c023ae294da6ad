// What must hold after the faults, each answered as a list of findings (empty when it holds), so the
// report can print counts and a failure can name what broke.
import { execFileSync } from 'node:child_process';
import type { DataSource } from 'typeorm';
import type { FakePool } from '../../libs/drivers/index.js';
import { capacityOf, CAPACITY_DIMENSIONS } from '../../src/modules/provisioning/pools/capacity.js';
import { capacityNeeds } from '../../src/modules/provisioning/resources/placement.js';
import { quotaNeeds } from '../../src/modules/provisioning/resources/resource-spec.js';
import { amountsOf, COLUMN, QUOTA_DIMENSIONS } from '../../src/modules/quota/quota-dimensions.js';
import type { Api, Load } from './load.js';

export const LIBVIRT_URI = 'qemu:///system';

interface ResourceRow {
  id: string;
  state: string;
  desired_state: string;
  pool_id: string;
  department_id: string;
  spec: any;
}

const resources = (db: DataSource): Promise<ResourceRow[]> =>
  db.query(`SELECT id, state, desired_state, pool_id, department_id, spec FROM resources`);

/** Accepted work that never finished: resources not settled, requests not decided, imports missing, jobs not done. */
export async function lost(db: DataSource, load: Load): Promise<string[]> {
  const found: string[] = [];
  const rows = await resources(db);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of rows) {
    // Settled: where its owner wants it, or failed for good (with a reason, for the owner to retry).
    if (r.state !== 'failed' && r.state !== r.desired_state)
      found.push(`resource ${r.id} is ${r.state}, wanted ${r.desired_state}`);
  }
  for (const r of load.resources) if (!byId.has(r.id)) found.push(`accepted resource ${r.id} does not exist`);
  const pending: Array<{ id: string }> = await db.query(
    `SELECT id FROM quota_requests WHERE id = ANY($1) AND state = 'pending'`,
    [load.quotaRequests],
  );
  for (const q of pending) found.push(`quota request ${q.id} is still pending`);
  const systems: Array<{ name: string }> = await db.query(
    `SELECT name FROM information_systems WHERE name = ANY($1)`,
    [load.importedSystems],
  );
  const present = new Set(systems.map((s) => s.name));
  for (const name of load.importedSystems)
    if (!present.has(name)) found.push(`imported system ${name} is missing`);
  const jobs: Array<{ id: string; job_name: string }> = await db.query(
    `SELECT id, job_name FROM outbox_messages WHERE done_at IS NULL`,
  );
  for (const j of jobs) found.push(`job ${j.job_name} ${j.id} never finished`);
  return found;
}

/** Objects made twice for one resource, in the fake pool (creation counter too) and on the libvirtd. */
export async function duplicates(
  db: DataSource,
  fake: FakePool,
  libvirtPoolId: string,
): Promise<{ duplicates: string[]; outOfStep: string[] }> {
  const rows = await resources(db);
  const dup: string[] = [];
  const outOfStep: string[] = [];
  const compare = (r: ResourceRow, copies: number) => {
    if (copies > 1) dup.push(`resource ${r.id}: ${copies} objects in its pool`);
    // Failed ones may or may not have their object; the others must match their state exactly.
    const wanted = r.state === 'deleted' ? 0 : 1;
    if (r.state !== 'failed' && Math.min(copies, 1) !== wanted)
      outOfStep.push(`resource ${r.id} is ${r.state} with ${copies} objects`);
  };

  const objects = await fake.objects();
  const perResource = new Map<string, number>();
  for (const o of objects) perResource.set(o.resourceId, (perResource.get(o.resourceId) ?? 0) + 1);
  const known = new Set(rows.map((r) => r.id));
  for (const r of rows.filter((r) => r.pool_id === fake.poolId)) {
    compare(r, perResource.get(r.id) ?? 0);
    const created = await fake.createCount(r.id);
    if (created > 1) dup.push(`resource ${r.id}: created ${created} times in the fake pool`);
  }
  for (const o of objects)
    if (!known.has(o.resourceId)) outOfStep.push(`fake object ${o.name} has no resource`);

  // libvirt names a domain gc-<id> and gives it the resource id as UUID; count both ways.
  const domains = virsh('list', '--all', '--uuid')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const names = virsh('list', '--all', '--name')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const r of rows.filter((r) => r.pool_id === libvirtPoolId)) {
    const copies = Math.max(
      domains.filter((uuid) => uuid === r.id).length,
      names.filter((name) => name.includes(r.id)).length,
    );
    compare(r, copies);
  }
  return { duplicates: dup, outOfStep };
}

/** The quota ledger against use recomputed from the resources, the cached counters, and pool capacity. */
export async function drift(db: DataSource, api: Api, operator: string): Promise<string[]> {
  const found: string[] = [];
  const rows = await resources(db);
  const holding = rows.filter((r) => r.state !== 'deleted');

  const ledger: Array<Record<string, unknown>> = await db.query(
    `SELECT department_id, ${QUOTA_DIMENSIONS.map((d) => `sum(${COLUMN[d]}) AS ${COLUMN[d]}`).join(', ')}
     FROM quota_ledger GROUP BY department_id`,
  );
  const departments = new Set([
    ...ledger.map((l) => l.department_id as string),
    ...holding.map((r) => r.department_id),
  ]);
  for (const department of departments) {
    const recorded = amountsOf(ledger.find((l) => l.department_id === department) ?? {});
    for (const d of QUOTA_DIMENSIONS) {
      const used = holding
        .filter((r) => r.department_id === department)
        .reduce((sum, r) => sum + (quotaNeeds(r.spec)[d] ?? 0), 0);
      if (recorded[d] !== used)
        found.push(`department ${department} ${d}: ledger ${recorded[d]}, resources ${used}`);
    }
  }

  const report = await api.send('GET', '/api/v1/quota/drift', { token: operator });
  if (report.status !== 200) found.push(`GET /api/v1/quota/drift answered ${report.status}`);
  for (const d of report.body?.differences ?? []) found.push(`quota counter: ${JSON.stringify(d)}`);

  const pools: Array<{ id: string; allocated: unknown }> = await db.query(`SELECT id, allocated FROM pools`);
  for (const pool of pools) {
    const allocated = capacityOf(pool.allocated as Record<string, number>);
    for (const d of CAPACITY_DIMENSIONS) {
      const used = holding
        .filter((r) => r.pool_id === pool.id)
        .reduce((sum, r) => sum + capacityNeeds(r.spec)[d], 0);
      if (allocated[d] !== used)
        found.push(`pool ${pool.id} ${d}: allocated ${allocated[d]}, resources ${used}`);
    }
  }
  return found;
}

/** Accepted changes without their audit entry, and resource transitions without theirs. */
export async function unaudited(db: DataSource, load: Load): Promise<string[]> {
  const found: string[] = [];
  const audited = new Set(
    (
      (await db.query(
        `SELECT DISTINCT request_id FROM audit_entries WHERE request_id IS NOT NULL`,
      )) as Array<{
        request_id: string;
      }>
    ).map((a) => a.request_id),
  );
  for (const a of load.accepted) {
    if (!a.requestIds.some((id) => audited.has(id)))
      found.push(`${a.what} (${a.requestIds.join(', ')}) has no audit entry`);
  }
  const transitions: Array<{ id: string; events: number; entries: number }> = await db.query(`
    SELECT e.id, e.n::int AS events, coalesce(a.n, 0)::int AS entries
    FROM (SELECT resource_id::text AS id, count(*) AS n FROM resource_events GROUP BY 1) e
    LEFT JOIN (SELECT target_id AS id, count(*) AS n FROM audit_entries WHERE target_type = 'resource' GROUP BY 1) a
      USING (id)
    WHERE e.n <> coalesce(a.n, 0)`);
  for (const t of transitions) found.push(`resource ${t.id}: ${t.events} events, ${t.entries} audit entries`);
  return found;
}

export function virsh(...args: string[]): string {
  return execFileSync('virsh', ['-c', LIBVIRT_URI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}
