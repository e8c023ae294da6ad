import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../../common/errors.js';
import { AuditService } from '../../audit/audit.service.js';
import { ResourceEvent } from '../entities/resource-event.entity.js';
import { Resource } from '../entities/resource.entity.js';
import { canMove, TRANSITIONS, type ResourceState } from './resource-states.js';

/** 409 for an action the life cycle does not allow from the resource's current state. */
export const invalidTransition = (resource: Resource, to: ResourceState, action: string = to) =>
  new DomainError(
    ErrorCode.InvalidTransition,
    `resource ${resource.id} is ${resource.state}: cannot ${action} it (allowed next: ${TRANSITIONS[resource.state].join(', ') || 'none'})`,
    { state: resource.state },
  );

/**
 * The one place a resource changes state: checks the move against the table, writes the state, one
 * resource_events row and one audit entry, all in the caller's transaction.
 */
@Injectable()
export class ResourceTransitions {
  constructor(private readonly audit: AuditService) {}

  async move(
    manager: EntityManager,
    resource: Resource,
    to: ResourceState,
    reason: string | null = null,
    changes: Partial<Pick<Resource, 'desiredState' | 'observed'>> = {},
  ): Promise<void> {
    const from = resource.state;
    if (!canMove(from, to)) throw invalidTransition(resource, to);
    const failureReason = to === 'failed' ? (reason ?? 'failed') : null;
    await manager
      .getRepository(Resource)
      .update({ id: resource.id }, { state: to, failureReason, ...changes });
    Object.assign(resource, { state: to, failureReason, ...changes });
    await this.record(manager, resource, 'transition', from, reason);
  }

  /** A new spec took effect: a 'resized' event with from = to = the current state. */
  async resized(manager: EntityManager, resource: Resource, before: Resource['spec'], reason: string | null) {
    await this.record(manager, resource, 'resized', resource.state, reason, before);
  }

  /** The creation event (nothing → requested). */
  created(manager: EntityManager, resource: Resource): Promise<void> {
    return this.record(manager, resource, 'transition', null, null);
  }

  private async record(
    manager: EntityManager,
    resource: Resource,
    type: ResourceEvent['type'],
    from: ResourceState | null,
    reason: string | null,
    specBefore?: Resource['spec'],
  ): Promise<void> {
    await manager.getRepository(ResourceEvent).insert({
      resourceId: resource.id,
      departmentId: resource.departmentId,
      poolId: resource.poolId,
      type,
      fromState: from,
      toState: resource.state,
      spec: resource.spec,
      reason,
    });
    await this.audit.record(manager, {
      action: type === 'resized' ? 'resource.resize' : `resource.${resource.state}`,
      targetType: 'resource',
      targetId: resource.id,
      departmentId: resource.departmentId,
      before: type === 'resized' ? { spec: specBefore } : { state: from },
      after: type === 'resized' ? { spec: resource.spec, reason } : { state: resource.state, reason },
    });
  }
}
