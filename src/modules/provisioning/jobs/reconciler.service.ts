import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, LessThan, MoreThan, type EntityManager } from 'typeorm';
import type { ObservedObject } from '../../../../libs/drivers/index.js';
import { rootLogger } from '../../../common/logger.js';
import { convergeJobs, JobName, type JobOutcome } from '../../jobs/job-catalogue.js';
import { OnJob } from '../../jobs/on-job.decorator.js';
import { MetricsService } from '../../health/metrics.service.js';
import { OutboxService } from '../../jobs/outbox.service.js';
import { Pool } from '../entities/pool.entity.js';
import { ReconcileEvent } from '../entities/reconcile-event.entity.js';
import { Resource } from '../entities/resource.entity.js';
import { CAPACITY_DIMENSIONS, capacityOf, type Capacity, type CapacityDimension } from '../pools/capacity.js';
import { capacityNeedsSql } from '../resources/placement.js';
import type { ResourceState } from '../resources/resource-states.js';
import { PoolDrivers } from './pool-drivers.js';

/** States in which the object must exist; the others are in a job's hands or gone. */
const SETTLED: ResourceState[] = ['running', 'stopped'];
/** At most this many recreations per pool and pass, so a pool that lost everything is not stormed. */
export const MAX_RECREATE_PER_PASS = 50;
/**
 * A resource short of where its owner wants it (a working state, or settled but wanting the other one,
 * or running without the spec of its last resize) with no converge job pending is stuck: its last job ended without moving it on (it stalled too often,
 * or failed while the database was away), and no user action reaches a deleting one. After this long
 * untouched it is driven again, by the same idempotent job.
 */
export const STUCK_AFTER_MS = 60_000;
const STUCK = `
  SELECT r.id, r.state, coalesce(r.applied_spec_version < r.spec_version, false) AS "specBehind"
  FROM resources r
  WHERE r.pool_id = $1 AND r.deleted_at IS NULL AND r.updated_at < $2
    AND (r.state IN ('requested', 'queued', 'provisioning', 'deleting')
         OR (r.state IN ('running', 'stopped') AND r.desired_state <> r.state)
         OR (r.state = 'running' AND r.desired_state = 'running' AND r.applied_spec_version < r.spec_version))
    AND NOT EXISTS (SELECT 1 FROM outbox_messages m WHERE m.done_at IS NULL
                    AND m.job_name = '${JobName.ResourceConverge}'
                    AND (m.payload->'resourceIds' ? r.id::text OR m.payload->>'resourceId' = r.id::text))
  ORDER BY r.updated_at LIMIT $3`;
/**
 * Why a settled resource's object is not as its owner wants it, or undefined when it is (or is on its
 * way: 'pending' is a rollout or a boot that the pool finishes by itself). The pool reports it failed
 * (a rollout past its deadline after it ran, a crashed domain), or powered the other way behind our back
 * (scaled to nothing, a guest shut down from inside). Its converge job brings it back, or fails it with
 * what the pool says.
 */
function strayDetail(state: ResourceState, object: ObservedObject): string | undefined {
  if (object.phase === 'failed')
    return `${state}, but the pool reports it failed (${object.detail ?? 'no detail'})`;
  if (object.phase !== 'pending' && object.phase !== state)
    return `${state}, but the pool reports it ${object.phase}`;
  return undefined;
}

/** An orphan, or the same capacity drift, is reported again only after this long. */
const REPORT_AGAIN_AFTER_MS = 24 * 3600_000;

const HELD = capacityNeedsSql('r.spec');
/**
 * Each pool's (all, or those in $1) allocated capacity beside what its live resources hold, in one
 * snapshot: admission, resize and deletion change both in one transaction, so books that are right
 * read right while they run.
 */
const CAPACITY = `SELECT p.id, p.allocated, jsonb_build_object(${CAPACITY_DIMENSIONS.map(
  (d) => `'${d}', coalesce(sum(${HELD[d]}), 0)`,
).join(', ')}) AS held
  FROM pools p LEFT JOIN resources r ON r.pool_id = p.id AND r.deleted_at IS NULL
  WHERE $1::uuid[] IS NULL OR p.id = ANY($1::uuid[]) GROUP BY p.id`;

/** A dimension in which a pool's books and its live resources disagree. */
export interface CapacityDrift {
  dimension: CapacityDimension;
  allocated: number;
  held: number;
}

export interface PoolReport {
  poolId: string;
  listed: number;
  recreated: string[];
  redriven: string[];
  orphans: string[];
  capacityDrift: CapacityDrift[];
  error?: string;
}

/**
 * Compares each pool with the database: one list call per pool (label selectors, never a get per
 * object), objects missing behind our back are recreated, and objects the pool reports failed or
 * powered the other way are driven again, by queueing their resource's converge job (the same
 * idempotent path as provisioning), and objects with our labels that no live resource owns
 * are reported, never deleted, as is a difference between the pool's allocated capacity and what its
 * live resources hold. One pass at a time across all workers (advisory lock); pools are
 * visited one after another, so each pool's API sees one list call per pass.
 */
@Injectable()
export class Reconciler {
  private readonly log = rootLogger().child({ component: 'reconciler' });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly drivers: PoolDrivers,
    private readonly outbox: OutboxService,
    metrics: MetricsService,
  ) {
    // Read at each scrape, for every pool (disabled ones too: their resources still come and go), so
    // every process answers the same, whichever worker ran the last pass.
    metrics.gauge(
      'govcloud_pool_capacity_drift_dimensions',
      "Capacity dimensions in which a pool's allocation differs from what its live resources hold",
      ['pool'],
      async (gauge) => {
        gauge.reset();
        try {
          for (const [poolId, drift] of await this.capacityDrift(this.dataSource.manager))
            gauge.set({ pool: poolId }, drift.length);
        } catch (error) {
          // The database is away: no figure rather than a stale one, and the rest of the scrape stands.
          this.log.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'capacity drift unread',
          );
        }
      },
    );
  }

  @OnJob(JobName.PoolReconcile)
  async onSchedule(): Promise<JobOutcome> {
    return (await this.reconcileAll()) ? 'success' : 'skipped';
  }

  /**
   * One pass over every pool (or those named; a disabled one has only its books checked), or null when
   * another worker is in the middle of one.
   */
  async reconcileAll(onlyPoolIds?: string[]): Promise<PoolReport[] | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(
        `SELECT pg_try_advisory_lock(hashtext('pool-reconcile')) AS locked`,
      );
      if (!locked) return null;
      try {
        const pools = await runner.manager
          .getRepository(Pool)
          .createQueryBuilder('p')
          .addSelect('p.connectionSealed')
          .orderBy('p.name')
          .getMany()
          .then((all) => (onlyPoolIds ? all.filter((p) => onlyPoolIds.includes(p.id)) : all));
        const reports: PoolReport[] = [];
        for (const pool of pools) reports.push(await this.reconcilePool(runner.manager, pool));
        return reports;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext('pool-reconcile'))`);
      }
    } finally {
      await runner.release();
    }
  }

  private async reconcilePool(manager: EntityManager, pool: Pool): Promise<PoolReport> {
    const report: PoolReport = {
      poolId: pool.id,
      listed: 0,
      recreated: [],
      redriven: [],
      orphans: [],
      capacityDrift: [],
    };
    try {
      // The books first: they need no pool API, so they are checked even when the pool cannot be listed.
      report.capacityDrift = (await this.capacityDrift(manager, [pool.id])).get(pool.id) ?? [];
      const driftReported =
        report.capacityDrift.length > 0 && (await this.reportDrift(manager, pool.id, report.capacityDrift));
      // A disabled pool drives nothing, so it is not listed; its books are checked all the same.
      if (pool.enabled) await this.compareObjects(manager, pool, report);
      if (report.recreated.length || report.redriven.length || report.orphans.length || driftReported)
        this.log.warn(report, 'pool drift');
    } catch (error) {
      report.error = error instanceof Error ? error.message : String(error);
      this.log.warn({ poolId: pool.id, err: report.error }, 'reconcile pass failed');
      await manager.getRepository(ReconcileEvent).insert({
        poolId: pool.id,
        resourceId: null,
        objectName: null,
        action: 'error',
        detail: report.error.slice(0, 2000),
      });
    }
    return report;
  }

  /**
   * Lists the pool's objects and compares them with what should exist: recreates what is missing, drives
   * again what is stuck or astray, reports orphans; each as a reconcile event, and in the report.
   */
  private async compareObjects(manager: EntityManager, pool: Pool, report: PoolReport): Promise<void> {
    const startedAt = new Date();
    const observed = await this.drivers.forPool(pool).list();
    report.listed = observed.length;
    const byResource = new Map(observed.map((o) => [o.resourceId, o]));
    // Settled before the list call began: anything newer may have been made after the list was taken.
    const expected = await manager.getRepository(Resource).find({
      where: { poolId: pool.id, deletedAt: IsNull(), state: In(SETTLED), updatedAt: LessThan(startedAt) },
      select: { id: true, state: true, desiredState: true },
    });
    const missing = expected.filter((r) => !byResource.has(r.id)).slice(0, MAX_RECREATE_PER_PASS);
    const known = await this.liveIds(
      manager,
      pool.id,
      observed.map((o) => o.resourceId),
      startedAt,
    );
    const orphans = observed.filter((o) => !known.has(o.resourceId));
    const stuck: Array<{ id: string; state: ResourceState; specBehind: boolean }> = await manager.query(
      STUCK,
      [pool.id, new Date(startedAt.getTime() - STUCK_AFTER_MS), MAX_RECREATE_PER_PASS],
    );
    const astray = expected
      .flatMap((r) => {
        const object = byResource.get(r.id);
        const detail = object && r.state === r.desiredState ? strayDetail(r.state, object) : undefined;
        return detail && !stuck.some((s) => s.id === r.id) ? [{ id: r.id, detail }] : [];
      })
      .slice(0, MAX_RECREATE_PER_PASS);
    await manager.transaction(async (m) => {
      // Both go through converge jobs, the same idempotent path as provisioning.
      const converge = async (id: string, action: 'recreated' | 'redriven', detail: string) => {
        await m.getRepository(ReconcileEvent).insert({
          poolId: pool.id,
          resourceId: id,
          objectName: null,
          action,
          detail: `${detail}: converge queued`,
        });
        report[action].push(id);
      };
      for (const r of stuck)
        await converge(
          r.id,
          'redriven',
          `${r.state}${r.specBehind ? ' without its resized spec' : ''} with no job pending for ${STUCK_AFTER_MS / 1000} s`,
        );
      for (const r of astray) await converge(r.id, 'redriven', r.detail);
      for (const r of missing) await converge(r.id, 'recreated', 'object missing from the pool');
      const ids = [...report.redriven, ...report.recreated];
      if (ids.length > 0) await this.outbox.enqueueMany(m, JobName.ResourceConverge, convergeJobs(ids));
      for (const o of orphans) {
        if (await this.reportedLately(m, pool.id, o.name)) continue;
        await m.getRepository(ReconcileEvent).insert({
          poolId: pool.id,
          resourceId: null,
          objectName: o.name,
          action: 'orphan',
          detail: `carries our labels (resource ${o.resourceId}, department ${o.department ?? '?'}) but no live resource owns it`,
        });
        report.orphans.push(o.name);
      }
    });
  }

  /**
   * Of the resource ids the pool reported, those of resources that exist and are not deleted, or were
   * deleted only after the list call began (their object was listed before its delete job removed it).
   */
  private async liveIds(
    manager: EntityManager,
    poolId: string,
    ids: string[],
    listedAt: Date,
  ): Promise<Set<string>> {
    const uuids = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (uuids.length === 0) return new Set();
    const rows = await manager
      .getRepository(Resource)
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .where('r.pool_id = :poolId AND r.id IN (:...uuids)', { poolId, uuids })
      .andWhere('(r.state <> :deleted OR r.updated_at >= :listedAt)', { deleted: 'deleted', listedAt })
      .getRawMany<{ id: string }>();
    return new Set(rows.map((r) => r.id));
  }

  /** Per pool (all, or those named), where its allocated capacity differs from what its live resources hold. */
  private async capacityDrift(
    manager: EntityManager,
    poolIds?: string[],
  ): Promise<Map<string, CapacityDrift[]>> {
    const rows: Array<{ id: string; allocated: Partial<Capacity>; held: Partial<Capacity> }> =
      await manager.query(CAPACITY, [poolIds ?? null]);
    return new Map(
      rows.map((row) => {
        const allocated = capacityOf(row.allocated);
        const held = capacityOf(row.held);
        const drift = CAPACITY_DIMENSIONS.filter((d) => allocated[d] !== held[d]);
        return [row.id, drift.map((d) => ({ dimension: d, allocated: allocated[d], held: held[d] }))];
      }),
    );
  }

  /**
   * Records the pool's drift unless the pool's last report named the same gaps within a day: resources
   * coming and going move both sides, not the gap. True when recorded.
   */
  private async reportDrift(
    manager: EntityManager,
    poolId: string,
    drift: CapacityDrift[],
  ): Promise<boolean> {
    const detail = drift
      .map(({ dimension, allocated, held }) =>
        allocated > held
          ? `${dimension}: ${allocated - held} more allocated than live resources hold`
          : `${dimension}: live resources hold ${held - allocated} more than allocated`,
      )
      .join('; ');
    const events = manager.getRepository(ReconcileEvent);
    const last = await events.findOne({
      where: { poolId, action: 'capacity-drift' },
      order: { occurredAt: 'DESC', id: 'DESC' },
    });
    if (last?.detail === detail && last.occurredAt.getTime() > Date.now() - REPORT_AGAIN_AFTER_MS)
      return false;
    await events.insert({ poolId, resourceId: null, objectName: null, action: 'capacity-drift', detail });
    return true;
  }

  private reportedLately(manager: EntityManager, poolId: string, objectName: string): Promise<boolean> {
    return manager.getRepository(ReconcileEvent).exists({
      where: {
        poolId,
        objectName,
        action: 'orphan',
        occurredAt: MoreThan(new Date(Date.now() - REPORT_AGAIN_AFTER_MS)),
      },
    });
  }
}
