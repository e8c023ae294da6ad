import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  DriverError,
  isDriverError,
  type DepartmentQuota,
  type ObservedObject,
  type ResourceDriver,
} from '../../../../libs/drivers/index.js';
import { DomainError } from '../../../common/errors.js';
import { SqlParams } from '../../../common/sql-params.js';
import { rootLogger } from '../../../common/logger.js';
import { JobName, type JobContext, type JobOutcome, type JobPayloads } from '../../jobs/job-catalogue.js';
import { OnJob } from '../../jobs/on-job.decorator.js';
import { TerminalJobError } from '../../jobs/worker-runtime.js';
import { ownShareJson, QuotaService } from '../../quota/index.js';
import { capacityNeeds, Placement } from '../resources/placement.js';
import { canMove, type ResourceState } from '../resources/resource-states.js';
import { ResourceTransitions, type Move } from '../resources/resource-transitions.js';
import { describe, driveAll, type Driven, type Failure, type Loaded } from './driving.js';
import { PoolDrivers } from './pool-drivers.js';
import { withResourceLocks } from './resource-locks.js';

/** Working states a final failure moves to 'failed'. */
const WORKING: readonly ResourceState[] = ['queued', 'provisioning', 'running', 'stopped', 'deleting'];

/**
 * How long a job's driver calls may take before its queued resources are shown provisioning: a pool
 * that answers sooner has queued → provisioning → running recorded in one statement after the calls.
 */
const PROVISIONING_SHOWN_AFTER_MS = 500;

/** Rolls back a deletion's bookkeeping when the resource was no longer deleting. */
const MOVED_MEANWHILE = new Error('moved meanwhile');

/**
 * The level-based worker: a job carries only resource ids; the handler re-reads what each owner wants
 * (desiredState) and where each resource is (state), makes the driver calls (all idempotent) and records
 * the transitions, each step in one statement for all the job's resources. A retried or duplicated job
 * finds the work done and does nothing twice.
 */
@Injectable()
export class Provisioner {
  private readonly log = rootLogger().child({ component: 'provisioner' });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly drivers: PoolDrivers,
    private readonly transitions: ResourceTransitions,
    private readonly placement: Placement,
    private readonly quota: QuotaService,
  ) {}

  @OnJob(JobName.ResourceConverge)
  converge(payload: JobPayloads[JobName.ResourceConverge], context: JobContext): Promise<JobOutcome> {
    const ids = [...new Set(convergeIds(payload))];
    return withResourceLocks(this.dataSource, ids, async (manager) => {
      // A retry drives only what is not yet where its owner wants it: the rest arrived in an earlier attempt.
      const loaded = (await this.load(manager, ids)).filter(
        (r) => WORKING.includes(r.state) && (context.attempt === 1 || !settled(r)),
      );
      // A pool whose driver cannot be made fails its resources before they reach provisioning.
      const failures: Failure[] = [];
      const drivers = new Map<string, ResourceDriver | Error>();
      const drivable: Array<{ resource: Loaded; driver: ResourceDriver }> = [];
      for (const resource of loaded) {
        if (!drivers.has(resource.poolId)) drivers.set(resource.poolId, this.driverOf(resource));
        const driver = drivers.get(resource.poolId)!;
        if (driver instanceof Error) failures.push({ resource, error: driver, undriven: true });
        else drivable.push({ resource, driver });
      }
      // Queued and wanted running: provisioning from when the driver is called. A pool that answers
      // at once has both moves recorded together, after the call; one that keeps the job longer shows
      // provisioning meanwhile.
      const queued = drivable.filter(({ resource }) => provisioningVia(resource));
      let shown: Promise<unknown> | undefined;
      const showProvisioning = setTimeout(() => {
        // Only for show: should it fail, the moves after the calls record provisioning all the same.
        shown = this.transitions
          .moveAll(
            manager,
            queued.map(({ resource }) => ({ resource, to: 'provisioning' })),
          )
          .catch((error: unknown) =>
            this.log.warn({ reason: describe(error) }, 'could not show resources provisioning'),
          );
      }, PROVISIONING_SHOWN_AFTER_MS);
      const driven = await driveAll(drivable).finally(() => clearTimeout(showProvisioning));
      await shown;
      failures.push(...driven.filter((d): d is Failure => 'error' in d));
      const arrived = await this.arrive(manager, driven);
      const removed = await this.removed(manager, driven);
      failures.push(...arrived.failed, ...removed.failed);
      await this.fail(manager, failures, context);
      // Objects still coming up are looked at again after the job's backoff; after its last attempt,
      // by the reconciler, which drives a resource short of where its owner wants it.
      const coming = driven.flatMap((d) =>
        'observed' in d && d.observed.phase === 'pending' && d.resource.state !== d.resource.desiredState
          ? [d.observed]
          : [],
      );
      if (coming.length > 0 && !context.lastAttempt)
        throw new DriverError(
          'Unavailable',
          `not up yet: ${coming[0].name} (${coming[0].detail ?? 'pending'})${coming.length > 1 ? ` and ${coming.length - 1} more` : ''}`,
        );
      return arrived.done + removed.done > 0 ? 'success' : 'skipped';
    });
  }

  private driverOf(resource: Loaded): ResourceDriver | Error {
    try {
      return this.drivers.forPool(resource.pool);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * Records where the driver left running and stopped resources, in one statement each: the moves (a
   * resource up for the first time has its quota reservation committed in the same statement) and, for
   * those already there, what the driver saw. Every move is made only if the resource is still in the
   * state the job read (the owner may have deleted it while the driver worked; then the job that
   * deletion queued takes over): the conditional update in ResourceTransitions is the check. Should the
   * writes fail, every resource they were for has failed.
   */
  private async arrive(
    manager: EntityManager,
    driven: Driven[],
  ): Promise<{ done: number; failed: Failure[] }> {
    const there: There[] = [];
    const moves: Array<Move & { resource: Loaded }> = [];
    for (const d of driven) {
      if (!('observed' in d)) continue;
      const { resource, observed } = d;
      // Still coming up (an image being pulled, a VM booting): what the driver saw is recorded, and the
      // resource is provisioning (see converge for who looks again).
      const pending = observed.phase === 'pending';
      const to: ResourceState = pending ? 'provisioning' : (resource.desiredState as ResourceState);
      const via = pending ? undefined : provisioningVia(resource);
      // Wanted running, the object went through ensure: it has the spec the job read.
      const appliedSpecVersion = resource.desiredState === 'running' ? resource.specVersion : undefined;
      if (resource.state === to || (pending && resource.state !== 'queued'))
        there.push({ ...d, appliedSpecVersion });
      else if (via || canMove(resource.state, to))
        moves.push({
          resource,
          to,
          reason: `driver: ${observed.phase}`,
          changes: { observed, appliedSpecVersion },
          via,
        });
    }
    try {
      return { done: await this.record(manager, there, moves), failed: [] };
    } catch {
      // One bad row fails the statement for all: record each alone, so only that one's failure counts.
      let done = 0;
      const failed: Failure[] = [];
      for (const d of there)
        await this.record(manager, [d], []).then(
          (n) => (done += n),
          (error: unknown) => failed.push({ resource: d.resource, error }),
        );
      for (const move of moves)
        await this.record(manager, [], [move]).then(
          (n) => (done += n),
          (error: unknown) => failed.push({ resource: move.resource, error }),
        );
      return { done, failed };
    }
  }

  /** The statements of `arrive`: answers how many resources they recorded. */
  private async record(manager: EntityManager, there: There[], moves: Move[]): Promise<number> {
    if (there.length > 0) {
      const params = new SqlParams();
      const rows = there.map((d) => ({
        id: d.resource.id,
        observed: d.observed,
        applied: d.appliedSpecVersion ?? null,
      }));
      const given = params.json(rows);
      // The ids again as an array, for the index (see ResourceTransitions.moveAll).
      const ids = params.add(
        rows.map((row) => row.id),
        'uuid[]',
      );
      await manager.query(
        `UPDATE resources r SET observed = x.observed,
           applied_spec_version = coalesce(x.applied, r.applied_spec_version), updated_at = now()
         FROM jsonb_to_recordset(${given}) AS x(id uuid, observed jsonb, applied int)
         WHERE r.id = ANY(${ids}) AND r.id = x.id`,
        params.values,
      );
    }
    const moved = await this.transitions.moveAll(manager, moves, (_params, rows) =>
      this.quota.commitInsert(
        `SELECT resource_id FROM ${rows} WHERE to_state = 'running' AND coalesce(via_state, from_state) = 'provisioning'`,
      ),
    );
    return there.length + moved.size;
  }

  /**
   * Deleted objects: each deleting → deleted move gives back quota and pool capacity, exactly once, in
   * a transaction of its own. A copy moves: should the transaction roll back, the failure path must
   * still see the resource deleting.
   */
  private async removed(
    manager: EntityManager,
    driven: Driven[],
  ): Promise<{ done: number; failed: Failure[] }> {
    let done = 0;
    const failed: Failure[] = [];
    for (const d of driven) {
      if (!('removed' in d) || d.resource.state !== 'deleting') continue;
      const r = d.resource;
      try {
        const overReleased = await manager.transaction(async (m) => {
          // The quota and pool rows before the resource's, in the order admission takes them: a request
          // for the same name waits on this resource's row while it holds them, so the other order deadlocks.
          await this.quota.release(m, r.id);
          const short = await this.placement.release(m, r.poolId, capacityNeeds(r.spec));
          if (!(await this.transitions.move(m, { ...r }, 'deleted', 'object removed'))) throw MOVED_MEANWHILE;
          return short;
        });
        if (overReleased.length > 0)
          this.log.error(
            { resourceId: r.id, poolId: r.poolId, dimensions: overReleased },
            'released more capacity than the pool had allocated',
          );
        done += 1;
      } catch (error) {
        if (error !== MOVED_MEANWHILE) failed.push({ resource: r, error });
      }
    }
    return { done, failed };
  }

  /**
   * Resources that failed. One already where its owner wants it is never moved to failed for a driver
   * call that did not go through: it stays as it is, and its object is the reconciler's to check; but it
   * is when the pool reports its object failed (the reconciler drives it for that: see strayDetail). For
   * the others, a retryable failure before the job's last attempt throws, so the job runs again (what did
   * arrive is recorded already, and a retry leaves it alone); the rest move to failed, and the job ends
   * failed with their reasons.
   */
  private async fail(manager: EntityManager, failures: Failure[], context: JobContext): Promise<void> {
    const settledOnes = failures.filter((f) => settled(f.resource) && !f.objectFailed);
    for (const { resource, error } of settledOnes)
      this.log.warn(
        { resourceId: resource.id, reason: describe(error) },
        'driver call failed; left as it is',
      );
    const working = failures.filter((f) => !settledOnes.includes(f));
    if (working.length === 0) return;
    const retryable = (error: unknown) =>
      isDriverError(error) ? error.retryable : !(error instanceof DomainError);
    const final = working.filter((f) => context.lastAttempt || !retryable(f.error));
    const reasons = new Map(final.map((f) => [f.resource.id, describe(f.error)]));
    // A queued resource whose driver was called was provisioning from then: it fails from there, and
    // one tried again is provisioning until then.
    const via = (f: Failure) => (f.undriven ? undefined : provisioningVia(f.resource));
    const moves: Move[] = [
      ...final.map((f) => ({
        resource: f.resource,
        to: 'failed' as const,
        reason: reasons.get(f.resource.id),
        via: via(f),
      })),
      ...working
        .filter((f) => !final.includes(f) && via(f))
        .map((f) => ({ resource: f.resource, to: 'provisioning' as const })),
    ];
    const moved = new Set(
      [...(await this.transitions.moveAll(manager, moves))].filter((id) => reasons.has(id)),
    );
    for (const id of moved)
      this.log.warn({ resourceId: id, reason: reasons.get(id), attempt: context.attempt }, 'resource failed');
    const again = working.find((f) => !final.includes(f));
    if (again) throw again.error;
    // Moved by someone else meanwhile (deleted, say): that job takes over, and this one has nothing to report.
    const failed = [...moved].map((id) => reasons.get(id)!);
    if (failed.length === 0) return;
    throw new TerminalJobError(
      failed.length === 1 ? failed[0] : `${failed.length} resources failed; first: ${failed[0]}`,
    );
  }

  /**
   * The resources with what driving them needs (their pool's sealed connection, their department's
   * code): raw, since every job runs it and an entity query builder costs more than the query. Each
   * pool's connection (a kubeconfig may be kilobytes) is read once, not with each of its resources.
   */
  private async load(manager: EntityManager, ids: string[]): Promise<Loaded[]> {
    const rows: Array<Omit<Loaded, 'pool'>> = await manager.query(LOAD, [ids]);
    if (rows.length === 0) return [];
    const pools: Array<Loaded['pool']> = await manager.query(
      `SELECT id, type, connection_sealed AS "connectionSealed" FROM pools WHERE id = ANY($1::uuid[])`,
      [[...new Set(rows.map((row) => row.poolId))]],
    );
    const byId = new Map(pools.map((pool) => [pool.id, pool]));
    return rows.map((row) => ({ ...row, pool: byId.get(row.poolId)! }));
  }
}

/** A resource already where its driver call left it: what the driver saw, and the spec version it applied, if any. */
type There = { resource: Loaded; observed: ObservedObject; appliedSpecVersion?: number };

/**
 * Where its owner wants it and, when running, with the spec it was last given (null: made before
 * versions were kept): nothing for a job to do, and a failed driver call leaves it as it is.
 */
function settled(r: Loaded): boolean {
  if (r.state !== r.desiredState) return false;
  return r.state !== 'running' || r.appliedSpecVersion === null || r.appliedSpecVersion >= r.specVersion;
}

/**
 * Queued and wanted running: provisioning from when its driver is called, a step recorded with the move
 * that follows the call (see converge).
 */
function provisioningVia(r: Loaded): Move['via'] {
  return r.state === 'queued' && r.desiredState === 'running'
    ? { state: 'provisioning', at: r.loadedAt }
    : undefined;
}

/** The ids a converge job carries; a job queued before jobs carried sets has one. */
function convergeIds(payload: JobPayloads[JobName.ResourceConverge] | { resourceId: string }): string[] {
  return 'resourceIds' in payload ? payload.resourceIds : [payload.resourceId];
}

/** The dimensions of a department's quota its pools' namespaces mirror (DepartmentQuota's). */
const MIRRORED_QUOTA = [
  'vcpu',
  'memoryGiB',
  'storageGiB',
  'gpu',
  'instances',
] as const satisfies ReadonlyArray<keyof DepartmentQuota>;

// The resources are read by id first (MATERIALIZED): joined to their departments straight away, they may be
// planned through each department's index (when statistics make departments look small), and a job then
// reads every resource its departments have.
export const LOAD = `WITH r AS MATERIALIZED (SELECT * FROM resources WHERE id = ANY($1::uuid[]))
  SELECT r.id, r.department_id AS "departmentId", r.pool_id AS "poolId", r.kind, r.spec,
    r.spec_version AS "specVersion", r.applied_spec_version AS "appliedSpecVersion", r.labels,
    r.state, r.desired_state AS "desiredState",
    json_build_object('id', d.id, 'code', d.code, 'quota', ${ownShareJson('d.id', MIRRORED_QUOTA)}) AS department,
    clock_timestamp() AS "loadedAt"
  FROM r JOIN departments d ON d.id = r.department_id ORDER BY r.id`;
