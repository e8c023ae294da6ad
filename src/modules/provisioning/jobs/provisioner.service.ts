import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  isDriverError,
  type DriverResource,
  type ObservedObject,
  type ResourceDriver,
} from '../../../../libs/drivers/index.js';
import { DomainError } from '../../../common/errors.js';
import type { SqlParams } from '../../../common/sql-params.js';
import { rootLogger } from '../../../common/logger.js';
import { JobName, type JobContext, type JobOutcome, type JobPayloads } from '../../jobs/job-catalogue.js';
import { OnJob } from '../../jobs/on-job.decorator.js';
import { TerminalJobError } from '../../jobs/worker-runtime.js';
import { QuotaService } from '../../quota/index.js';
import { Department } from '../../tenancy/entities/department.entity.js';
import { Pool } from '../entities/pool.entity.js';
import { Resource } from '../entities/resource.entity.js';
import { capacityNeeds, Placement } from '../resources/placement.js';
import { canMove, type ResourceState } from '../resources/resource-states.js';
import { ResourceTransitions } from '../resources/resource-transitions.js';
import { PoolDrivers } from './pool-drivers.js';

/** Working states a final failure moves to 'failed'. */
const WORKING: readonly ResourceState[] = ['queued', 'provisioning', 'running', 'stopped', 'deleting'];

/**
 * Holds a PostgreSQL session lock on the resource for the whole job, so two jobs for one resource (a
 * provision and a delete, or a job a stalled worker still runs) never drive its object at once. The lock
 * dies with the session, so a worker killed mid-job frees it at once. Key space 0x6763 ('gc') apart.
 */
async function withResourceLock<T>(
  dataSource: DataSource,
  id: string,
  fn: (m: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtextextended($1, 26467))`, [id]);
    try {
      return await fn(runner.manager);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 26467))`, [id]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * The level-based worker: a job carries only a resource id; the handler re-reads what the owner wants
 * (desiredState) and where the resource is (state), makes the driver calls (all idempotent) and records
 * the transitions. A retried or duplicated job finds the work done and does nothing twice.
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
    return withResourceLock(this.dataSource, payload.resourceId, async (manager) => {
      const resource = await this.load(manager, payload.resourceId);
      if (!resource || !WORKING.includes(resource.state)) return 'skipped';
      try {
        return await this.drive(manager, resource);
      } catch (error) {
        const retryable = isDriverError(error) ? error.retryable : !(error instanceof DomainError);
        if (retryable && !context.lastAttempt) throw error;
        const reason = describe(error);
        this.log.warn({ resourceId: resource.id, reason, attempt: context.attempt }, 'resource failed');
        await this.transitions.move(manager, resource, 'failed', reason);
        throw new TerminalJobError(reason);
      }
    });
  }

  private async drive(manager: EntityManager, r: Loaded): Promise<JobOutcome> {
    const driver = this.drivers.forPool(r.pool);
    const target: DriverResource = {
      id: r.id,
      kind: r.kind,
      department: { id: r.department.id, code: r.department.code },
      spec: r.spec,
      labels: r.labels,
    };
    switch (r.desiredState) {
      case 'deleted': {
        await driver.delete(target);
        if (r.state !== 'deleting') return 'skipped';
        // Exactly once: only the deleting → deleted move gives back quota and pool capacity. A copy moves:
        // should the transaction roll back, the failure path must still see the resource deleting.
        const done = await manager.transaction(async (m) => {
          if (!(await this.transitions.move(m, { ...r }, 'deleted', 'object removed'))) return false;
          await this.quota.release(m, r.id);
          await this.placement.release(m, r.poolId, capacityNeeds(r.spec));
          return true;
        });
        return done ? 'success' : 'skipped';
      }
      case 'running': {
        if (r.state === 'queued' && !(await this.transitions.move(manager, r, 'provisioning')))
          return 'skipped';
        let observed = await driver.ensure(target);
        if (observed.phase === 'stopped') observed = await driver.start(target);
        // Up for the first time: its quota reservation is now in use, recorded in the move's statement.
        const commit =
          r.state === 'provisioning'
            ? (params: SqlParams, moved: string) => this.quota.commitInsert(params, r.id, moved)
            : undefined;
        return this.arrive(manager, r, 'running', observed, commit);
      }
      case 'stopped': {
        const observed = await powerOff(driver, target);
        return this.arrive(manager, r, 'stopped', observed);
      }
    }
  }

  /**
   * Records the move to `to` (or, when already there, just what the driver saw). Every move of the job
   * is made only if the resource is still in the state the job read (the owner may have deleted it
   * while the driver worked; then the job that deletion queued takes over): the conditional update in
   * ResourceTransitions.move is the check, so no row is read and locked first.
   */
  private async arrive(
    manager: EntityManager,
    r: Resource,
    to: ResourceState,
    observed: ObservedObject,
    also?: (params: SqlParams, moved: string) => string,
  ): Promise<JobOutcome> {
    if (r.state === to) {
      await manager.getRepository(Resource).update({ id: r.id }, { observed });
      return 'success';
    }
    if (!canMove(r.state, to)) return 'skipped';
    const moved = await this.transitions.move(
      manager,
      r,
      to,
      `driver: ${observed.phase}`,
      { observed },
      also,
    );
    return moved ? 'success' : 'skipped';
  }

  /**
   * The resource with what driving it needs (its pool's sealed connection, its department's code), in
   * one statement: raw, since every job runs it and an entity query builder costs more than the query.
   */
  private async load(manager: EntityManager, id: string): Promise<Loaded | null> {
    const [row]: Loaded[] = await manager.query(LOAD, [id]);
    return row ?? null;
  }
}

const LOAD = `SELECT r.id, r.department_id AS "departmentId", r.pool_id AS "poolId", r.kind, r.name, r.spec,
    r.labels, r.critical, r.state, r.desired_state AS "desiredState", r.failure_reason AS "failureReason",
    r.observed, r.requested_by AS "requestedBy", r.idempotency_key AS "idempotencyKey",
    r.request_hash AS "requestHash", r.created_at AS "createdAt", r.updated_at AS "updatedAt",
    json_build_object('id', p.id, 'type', p.type, 'connectionSealed', p.connection_sealed) AS pool,
    json_build_object('id', d.id, 'code', d.code) AS department
  FROM resources r JOIN pools p ON p.id = r.pool_id JOIN departments d ON d.id = r.department_id
  WHERE r.id = $1`;

/** Every column of the resource (LOAD reads them all), with the parts of its pool and department driving needs. */
type Loaded = Resource & {
  pool: Pick<Pool, 'id' | 'type' | 'connectionSealed'>;
  department: Pick<Department, 'id' | 'code'>;
};

/** Stops the object; a missing one is made again (as the spec says) and then stopped. */
async function powerOff(driver: ResourceDriver, target: DriverResource): Promise<ObservedObject> {
  try {
    return await driver.stop(target);
  } catch (error) {
    if (!isDriverError(error) || error.code !== 'NotFound') throw error;
    await driver.ensure(target);
    return driver.stop(target);
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const text = isDriverError(error) ? `${error.code}: ${message}` : message;
  return text.slice(0, 2000);
}
