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
import { rootLogger } from '../../../common/logger.js';
import { JobName, type JobContext, type JobOutcome, type JobPayloads } from '../../jobs/job-catalogue.js';
import { OnJob } from '../../jobs/on-job.decorator.js';
import { TerminalJobError } from '../../jobs/worker-runtime.js';
import { QuotaService } from '../../quota/index.js';
import { Department } from '../../tenancy/entities/department.entity.js';
import { Pool } from '../entities/pool.entity.js';
import { Resource } from '../entities/resource.entity.js';
import { capacityNeeds, Placement } from '../resources/placement.js';
import type { ResourceState } from '../resources/resource-states.js';
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
      const resource = await manager.getRepository(Resource).findOneBy({ id: payload.resourceId });
      if (!resource || !WORKING.includes(resource.state)) return 'skipped';
      try {
        return await this.drive(manager, resource);
      } catch (error) {
        const retryable = isDriverError(error) ? error.retryable : !(error instanceof DomainError);
        if (retryable && !context.lastAttempt) throw error;
        const reason = describe(error);
        this.log.warn({ resourceId: resource.id, reason, attempt: context.attempt }, 'resource failed');
        await this.step(manager, resource.id, WORKING, 'failed', reason);
        throw new TerminalJobError(reason);
      }
    });
  }

  private async drive(manager: EntityManager, r: Resource): Promise<JobOutcome> {
    const driver = await this.driverOf(manager, r.poolId);
    const target = await this.target(manager, r);
    switch (r.desiredState) {
      case 'deleted': {
        await driver.delete(target);
        const done = await this.step(
          manager,
          r.id,
          ['deleting'],
          'deleted',
          'object removed',
          {},
          async (m) => {
            // Exactly once: only the deleting → deleted move gives back quota and pool capacity.
            // Pool row before quota row, the order a request or a resize takes them in, or the two deadlock.
            await this.placement.release(m, r.poolId, capacityNeeds(r.spec));
            await this.quota.release(m, r.id);
          },
        );
        return done ? 'success' : 'skipped';
      }
      case 'running': {
        if (r.state === 'queued' && !(await this.step(manager, r.id, ['queued'], 'provisioning')))
          return 'skipped';
        let observed = await driver.ensure(target);
        if (observed.phase === 'stopped') observed = await driver.start(target);
        return this.arrive(manager, r, ['provisioning', 'stopped'], 'running', observed, async (m, from) => {
          if (from === 'provisioning') await this.quota.commit(m, r.id);
        });
      }
      case 'stopped': {
        const observed = await powerOff(driver, target);
        return this.arrive(manager, r, ['running'], 'stopped', observed);
      }
    }
  }

  /** Records the move to `to` (or, when already there, just what the driver saw). */
  private async arrive(
    manager: EntityManager,
    r: Resource,
    from: readonly ResourceState[],
    to: ResourceState,
    observed: ObservedObject,
    also?: (m: EntityManager, from: ResourceState) => Promise<void>,
  ): Promise<JobOutcome> {
    if (r.state === to) {
      await manager.getRepository(Resource).update({ id: r.id }, { observed });
      return 'success';
    }
    const moved = await this.step(manager, r.id, from, to, `driver: ${observed.phase}`, { observed }, also);
    return moved ? 'success' : 'skipped';
  }

  /**
   * One transition in its own transaction, only if the resource is still in one of `from` (the owner
   * may have deleted it while the driver worked; then the job that deletion queued takes over).
   */
  private step(
    manager: EntityManager,
    id: string,
    from: readonly ResourceState[],
    to: ResourceState,
    reason: string | null = null,
    changes: Partial<Pick<Resource, 'observed'>> = {},
    also?: (m: EntityManager, from: ResourceState) => Promise<void>,
  ): Promise<boolean> {
    return manager.transaction(async (m) => {
      const current = await m
        .getRepository(Resource)
        .createQueryBuilder('r')
        .setLock('pessimistic_write')
        .where('r.id = :id', { id })
        .getOne();
      if (!current || !from.includes(current.state)) return false;
      const was = current.state;
      await also?.(m, was);
      await this.transitions.move(m, current, to, reason, changes);
      return true;
    });
  }

  private async driverOf(manager: EntityManager, poolId: string): Promise<ResourceDriver> {
    const pool = await manager
      .getRepository(Pool)
      .createQueryBuilder('p')
      .addSelect('p.connectionSealed')
      .where('p.id = :poolId', { poolId })
      .getOneOrFail();
    return this.drivers.forPool(pool);
  }

  private async target(manager: EntityManager, r: Resource): Promise<DriverResource> {
    const department = await manager
      .getRepository(Department)
      .findOneOrFail({ where: { id: r.departmentId }, select: { id: true, code: true } });
    return { id: r.id, kind: r.kind, department, spec: r.spec, labels: r.labels };
  }
}

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
