import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../../common/errors.js';
import { requestContext, type RequestContext } from '../../../common/request-context.js';
import { SqlParams } from '../../../common/sql-params.js';
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

/** The columns a transition may change besides the state. */
type Changes = Partial<Pick<Resource, 'desiredState' | 'observed'>>;

/**
 * The one place a resource changes state: checks the move against the table and writes the state, one
 * resource_events row and one audit entry in a single statement (one round trip, so a row lock the
 * caller holds is held no longer than needed), in the caller's transaction.
 */
@Injectable()
export class ResourceTransitions {
  constructor(private readonly audit: AuditService) {}

  /**
   * Moves the resource from the state it has in `resource` to `to`. The row changes only if it is still
   * in that state: answers false, writing nothing, when someone else moved it meanwhile (a caller that
   * holds the row's lock always gets true). `also` adds a write of the caller's to the statement, made
   * once per row of the CTE it is given (so only with the move).
   */
  async move(
    manager: EntityManager,
    resource: Resource,
    to: ResourceState,
    reason: string | null = null,
    changes: Changes = {},
    also?: (params: SqlParams, moved: string) => string,
  ): Promise<boolean> {
    const from = resource.state;
    if (!canMove(from, to)) throw invalidTransition(resource, to);
    const failureReason = to === 'failed' ? (reason ?? 'failed') : null;
    const moved = { ...resource, state: to, failureReason, ...changes };
    const params = new SqlParams();
    const set = [
      `state = ${params.add(to, 'varchar')}`,
      `failure_reason = ${params.add(failureReason, 'text')}`,
    ];
    if (changes.desiredState !== undefined)
      set.push(`desired_state = ${params.add(changes.desiredState, 'varchar')}`);
    if (changes.observed !== undefined) set.push(`observed = ${params.json(changes.observed)}`);
    const update = `UPDATE resources SET ${set.join(', ')}, updated_at = now()
      WHERE id = ${params.add(resource.id, 'uuid')} AND state = ${params.add(from, 'varchar')} RETURNING id, spec`;
    // The event carries the row's spec, not the caller's copy: a worker's copy was read before its driver
    // call, and a resize committed meanwhile must not be metered away by the move that follows it.
    const rows: unknown[] = await manager.query(
      `WITH moved AS (${update}), ${this.entries(params, { resource: moved, type: 'transition', from, reason, source: 'moved', spec: 'moved.spec' })}
       ${also ? `, also AS (${also(params, 'moved')})` : ''}
       SELECT 1 FROM moved`,
      params.values,
    );
    if (rows.length === 0) return false;
    Object.assign(resource, { state: to, failureReason, ...changes });
    return true;
  }

  /** A new spec took effect: a 'resized' event with from = to = the current state. */
  async resized(manager: EntityManager, resource: Resource, before: Resource['spec'], reason: string | null) {
    const params = new SqlParams();
    const entries = this.entries(params, {
      resource,
      type: 'resized',
      from: resource.state,
      reason,
      specBefore: before,
    });
    await manager.query(`WITH ${entries} SELECT 1`, params.values);
  }

  /**
   * New resources' events, in one statement for all: nothing → requested, then requested → the state its
   * row was inserted in (queued: placed and admitted in the same transaction), each audited in the name
   * of the request that asked for it: CTEs for the statement that inserts the resources. A resource's
   * second pair reads its first's RETURNING, which makes PostgreSQL write them in that order.
   */
  created(
    params: SqlParams,
    created: Array<{ resource: Resource; reason: string; context: RequestContext | null }>,
  ): string {
    const ctes = created.map(({ resource, reason, context }, i) => {
      const requested = { ...resource, state: 'requested' as const };
      if (!canMove(requested.state, resource.state)) throw invalidTransition(requested, resource.state);
      const first = this.entries(params, {
        resource: requested,
        type: 'transition',
        from: null,
        reason: null,
        name: `r${i}requested`,
        context,
      });
      const second = this.entries(params, {
        resource,
        type: 'transition',
        from: 'requested',
        reason,
        source: `r${i}requestedevent`,
        name: `r${i}`,
        context,
      });
      return `${first}, ${second}`;
    });
    return ctes.join(',\n');
  }

  /** Two CTEs writing the event row and the audit entry. */
  private entries(
    params: SqlParams,
    entry: {
      resource: Resource;
      type: ResourceEvent['type'];
      from: ResourceState | null;
      reason: string | null;
      specBefore?: Resource['spec'];
      /** A CTE: the entries are written once per row it yields. */
      source?: string;
      /** Prefix of the two CTEs' names, when a statement has two pairs. */
      name?: string;
      /** The request to audit the entry under, when not the current one. */
      context?: RequestContext | null;
      /** A column of `source` to take the event's spec from, instead of `resource.spec`. */
      spec?: string;
    },
  ): string {
    const { resource, type, from, reason, specBefore, source, name = '', context, spec } = entry;
    const event = [
      params.add(resource.id, 'uuid'),
      params.add(resource.departmentId, 'uuid'),
      params.add(resource.poolId, 'uuid'),
      params.add(type, 'varchar'),
      params.add(from, 'varchar'),
      params.add(resource.state, 'varchar'),
      spec ?? params.json(resource.spec),
      params.add(reason, 'text'),
    ];
    const audit = this.audit.insert(
      {
        action: type === 'resized' ? 'resource.resize' : `resource.${resource.state}`,
        targetType: 'resource',
        targetId: resource.id,
        departmentId: resource.departmentId,
        before: type === 'resized' ? { spec: specBefore } : { state: from },
        after: type === 'resized' ? { spec: resource.spec, reason } : { state: resource.state, reason },
      },
      params,
      source,
      context === undefined ? (requestContext.get() ?? null) : context,
    );
    return `${name}event AS (
        INSERT INTO resource_events (resource_id, department_id, pool_id, type, from_state, to_state, spec, reason)
        SELECT ${event.join(', ')}${source ? ` FROM ${source}` : ''} RETURNING id),
      ${name}audit AS (${audit})`;
  }
}
