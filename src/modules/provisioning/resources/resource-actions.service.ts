import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { invalid } from '../../../common/errors.js';
import { AuditService } from '../../audit/audit.service.js';
import type { Principal } from '../../auth/principal.js';
import { JobName } from '../../jobs/job-catalogue.js';
import { OutboxService } from '../../jobs/outbox.service.js';
import { QuotaService } from '../../quota/index.js';
import type { ResizeSpecDto } from '../dto/resource.dto.js';
import type { Resource, ResourceSpec } from '../entities/resource.entity.js';
import { Resource as ResourceEntity } from '../entities/resource.entity.js';
import { capacityNeeds, Placement } from './placement.js';
import { checkSpec, quotaNeeds } from './resource-spec.js';
import type { DesiredState, ResourceState } from './resource-states.js';
import { invalidTransition, ResourceTransitions } from './resource-transitions.js';
import { ResourcesService } from './resources.service.js';

/**
 * A resize changes sizes while the resource exists, is on its way, or failed on its way (a smaller size
 * may be what lets its retry through); never once its owner has asked for it to go.
 */
const RESIZABLE: readonly ResourceState[] = ['queued', 'provisioning', 'running', 'stopped', 'failed'];

/**
 * What an owner does to an existing resource. Each action locks the row, checks the life cycle, records
 * what changed, and leaves a job in the outbox; the worker does the driver calls and the transitions
 * that follow them (running → stopped, deleting → deleted, ...).
 */
@Injectable()
export class ResourceActionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly resources: ResourcesService,
    private readonly transitions: ResourceTransitions,
    private readonly placement: Placement,
    private readonly quota: QuotaService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  stop(principal: Principal, id: string): Promise<Resource> {
    return this.act(principal, id, async (manager, r) => {
      // Asked before (done, or still to do): nothing changes, as start on a running resource.
      if (r.desiredState === 'stopped' && (r.state === 'running' || r.state === 'stopped')) return false;
      // Stop also cancels a start the worker has not done yet, as start cancels a stop: the last word wins.
      const startPending = r.state === 'stopped' && r.desiredState === 'running';
      if (!startPending && (r.state !== 'running' || r.desiredState !== 'running'))
        throw invalidTransition(r, 'stopped', 'stop');
      await this.want(manager, r, 'stopped');
      return true;
    });
  }

  start(principal: Principal, id: string): Promise<Resource> {
    return this.act(principal, id, async (manager, r) => {
      if (r.desiredState === 'running' && (r.state === 'running' || r.state === 'stopped')) return false;
      // Start also cancels a stop the worker has not done yet.
      if ((r.state !== 'stopped' && r.state !== 'running') || r.desiredState !== 'stopped')
        throw invalidTransition(r, 'running', 'start');
      await this.want(manager, r, 'running');
      return true;
    });
  }

  retry(principal: Principal, id: string): Promise<Resource> {
    return this.act(principal, id, async (manager, r) => {
      if (r.state !== 'failed') throw invalidTransition(r, 'queued', 'retry');
      const reason = `retry after: ${r.failureReason ?? 'failure'}`;
      // A delete that failed is retried as a delete: its owner asked for it to go, not to come back.
      if (r.desiredState === 'deleted') await this.transitions.move(manager, r, 'deleting', reason);
      else await this.transitions.move(manager, r, 'queued', reason, { desiredState: 'running' });
      return true;
    });
  }

  /** DELETE: deleting now, deleted when the driver has removed the object; asking twice changes nothing. */
  remove(principal: Principal, id: string): Promise<Resource> {
    return this.act(principal, id, async (manager, r) => {
      if (r.state === 'deleting' || r.state === 'deleted') return false;
      await this.transitions.move(manager, r, 'deleting', 'deletion requested', { desiredState: 'deleted' });
      return true;
    });
  }

  /** New sizes: pool capacity and quota re-checked (409 when either does not fit), a 'resized' event, a job to apply them. */
  resize(principal: Principal, id: string, sizes: ResizeSpecDto): Promise<Resource> {
    return this.act(principal, id, async (manager, r) => {
      if (!RESIZABLE.includes(r.state) || r.desiredState === 'deleted')
        throw invalidTransition(r, r.state, 'resize');
      const before = r.spec;
      const after: ResourceSpec = { ...before };
      for (const [key, value] of Object.entries(sizes))
        if (value !== undefined) Object.assign(after, { [key]: value });
      checkSpec(r.kind, after);
      // No pool makes a disk smaller without losing what is on it.
      if (r.kind === 'vm' && after.storageGiB < before.storageGiB)
        throw invalid('spec.storageGiB', `cannot shrink a VM's disk (${before.storageGiB} GiB now)`);
      if (JSON.stringify(after) === JSON.stringify(before)) return false;
      // Quota, then pool: the order every path locks the two rows in.
      await this.quota.adjust(manager, {
        departmentId: r.departmentId,
        resourceId: r.id,
        amounts: quotaNeeds(after),
      });
      await this.placement.resize(manager, r.poolId, capacityNeeds(before), capacityNeeds(after));
      // A new version for the worker to bring the object to; one made before versions were kept has
      // the one it had (the update reads the row as it was).
      const [row]: Array<Pick<Resource, 'specVersion' | 'appliedSpecVersion'>> = await manager.query(
        `UPDATE resources SET spec = $2, spec_version = spec_version + 1,
           applied_spec_version = coalesce(applied_spec_version, spec_version)
         WHERE id = $1 RETURNING spec_version AS "specVersion", applied_spec_version AS "appliedSpecVersion"`,
        [r.id, after],
      );
      Object.assign(r, { spec: after }, row);
      await this.transitions.resized(manager, r, before, 'resize requested');
      return true;
    });
  }

  /** Locks the visible resource, applies the action, and queues the worker when something changed. */
  private act(
    principal: Principal,
    id: string,
    action: (manager: EntityManager, resource: Resource) => Promise<boolean>,
  ): Promise<Resource> {
    return this.dataSource.transaction(async (manager) => {
      const resource = await this.resources.visible(principal, id, manager);
      if (await action(manager, resource))
        await this.outbox.enqueue(manager, JobName.ResourceConverge, { resourceIds: [resource.id] });
      return resource;
    });
  }

  private async want(manager: EntityManager, r: Resource, desiredState: DesiredState): Promise<void> {
    const before = r.desiredState;
    r.desiredState = desiredState;
    await manager.getRepository(ResourceEntity).update({ id: r.id }, { desiredState });
    await this.audit.record(manager, {
      action: desiredState === 'stopped' ? 'resource.stop' : 'resource.start',
      targetType: 'resource',
      targetId: r.id,
      departmentId: r.departmentId,
      before: { desiredState: before },
      after: { desiredState },
    });
  }
}
