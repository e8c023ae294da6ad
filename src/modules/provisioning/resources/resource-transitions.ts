import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../../common/errors.js';
import { requestContext, type RequestContext } from '../../../common/request-context.js';
import { SqlParams } from '../../../common/sql-params.js';
import { ACTOR_COLUMNS, AuditService, auditActor, type AuditActor } from '../../audit/audit.service.js';
import type { ResourceEventType } from '../entities/resource-event.entity.js';
import { Resource } from '../entities/resource.entity.js';
import { canMove, TRANSITIONS, type ResourceState } from './resource-states.js';

/** 409 for an action the life cycle does not allow from the resource's current state. */
export const invalidTransition = (resource: Moving, to: ResourceState, action: string = to) =>
  new DomainError(
    ErrorCode.InvalidTransition,
    `resource ${resource.id} is ${resource.state}: cannot ${action} it (allowed next: ${TRANSITIONS[resource.state].join(', ') || 'none'})`,
    { state: resource.state },
  );

/** The columns a transition may change besides the state. */
type Changes = Partial<Pick<Resource, 'desiredState' | 'observed' | 'appliedSpecVersion'>>;

/** What a move needs of its resource: it takes the new state (and the changes) when it moves. */
export type Moving = Pick<Resource, 'id' | 'state'> & Partial<Resource>;

/** One resource's move from the state it has in `resource` to `to`. */
export interface Move {
  resource: Moving;
  to: ResourceState;
  reason?: string | null;
  changes?: Changes;
  /** The request to audit it under, when not the current one (null: the system's own work). */
  context?: RequestContext | null;
  /**
   * A state the resource passed through on its way, recorded as its own earlier event at `at` (a worker
   * records queued → provisioning → running in one statement once its driver call is back).
   */
  via?: { state: ResourceState; at: Date };
}

/**
 * An event row and who made it, as the CTE `entries` writes them with their audit entries; `n` orders
 * them. `spec_before` is a resize's spec before it.
 */
type EntryRow = AuditActor & {
  n: number;
  resource_id: string;
  department_id: string;
  pool_id: string;
  type: ResourceEventType;
  from_state: ResourceState | null;
  to_state: ResourceState;
  spec: Resource['spec'];
  spec_before: Resource['spec'] | null;
  reason: string | null;
  /** When it happened, if not as it is written. */
  occurred_at: Date | null;
};

const ENTRY_COLUMNS: ReadonlyArray<readonly [keyof EntryRow, string]> = [
  ['n', 'int'],
  ['resource_id', 'uuid'],
  ['department_id', 'uuid'],
  ['pool_id', 'uuid'],
  ['type', 'varchar'],
  ['from_state', 'varchar'],
  ['to_state', 'varchar'],
  ['spec', 'jsonb'],
  ['spec_before', 'jsonb'],
  ['reason', 'text'],
  ['occurred_at', 'timestamptz'],
  ...ACTOR_COLUMNS,
];

/**
 * The columns of an entry that `steps` supplies, as SQL over a move `m` (from → via, if any → to) and
 * its step `s` (k = 0: from → via; k = 1: the arrival in `to`). The rest come from `m` as they are.
 */
const FROM_STEP: Partial<Record<keyof EntryRow, string>> = {
  n: '2 * m.n + s.k',
  type: `'transition'`,
  from_state: 'CASE s.k WHEN 0 THEN m.from_state ELSE coalesce(m.via_state, m.from_state) END',
  to_state: 'CASE s.k WHEN 0 THEN m.via_state ELSE m.to_state END',
  spec_before: 'NULL::jsonb',
  reason: 'CASE s.k WHEN 0 THEN NULL ELSE m.reason END',
  // No earlier than the resource's last event: one written meanwhile (a resize) keeps its place before it.
  occurred_at: `CASE WHEN s.k = 0 AND m.via_at IS NOT NULL THEN GREATEST(m.via_at,
    (SELECT max(e.occurred_at) FROM resource_events e WHERE e.resource_id = m.resource_id)) END`,
};

/** A move's events as SQL over the CTE `moves` (see FROM_STEP): one, or two when it has a via state. */
const steps = (moves: string) =>
  `SELECT ${ENTRY_COLUMNS.map(([column]) => `${FROM_STEP[column] ?? `m.${column}`} AS ${column}`).join(', ')}
   FROM ${moves} m JOIN (VALUES (0), (1)) AS s(k) ON s.k = 1 OR m.via_state IS NOT NULL`;

/**
 * What a caller sends per move, creations and moves alike; the department, pool and spec come from the
 * resource's row as the statement writes it.
 */
const GIVEN_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['n', 'int'],
  ['resource_id', 'uuid'],
  ['reason', 'text'],
  ...ACTOR_COLUMNS,
];

/** A move's row: what every move gives, its states and its changes. */
const MOVE_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ...GIVEN_COLUMNS,
  ['from_state', 'varchar'],
  ['to_state', 'varchar'],
  ['via_state', 'varchar'],
  ['via_at', 'timestamptz'],
  ['failure_reason', 'text'],
  ['set_desired', 'boolean'],
  ['desired_state', 'varchar'],
  ['set_observed', 'boolean'],
  ['observed', 'jsonb'],
  ['applied_spec_version', 'int'],
];

/** What a resource's failure_reason becomes when it moves to `to`. */
const failureReason = (to: ResourceState, reason: string | null) =>
  to === 'failed' ? (reason ?? 'failed') : null;

/**
 * The one place a resource changes state: checks each move against the table and writes the states,
 * one resource_events row and one audit entry per move in a single statement, however many resources
 * move (one round trip, so a row lock the caller holds is held no longer than needed), in the caller's
 * transaction.
 */
@Injectable()
export class ResourceTransitions {
  constructor(private readonly audit: AuditService) {}

  /** Moves one resource (see moveAll): true when it moved. */
  async move(
    manager: EntityManager,
    resource: Moving,
    to: ResourceState,
    reason: string | null = null,
    changes: Changes = {},
    also?: (params: SqlParams, moved: string) => string,
  ): Promise<boolean> {
    const moved = await this.moveAll(manager, [{ resource, to, reason, changes }], also);
    return moved.size === 1;
  }

  /**
   * Moves each resource from the state it has in its `resource` to its `to` (through its `via`, if
   * any). A row changes only if it is still in that state: the ids answered are those that moved; the
   * others were moved by someone else meanwhile and get nothing written (a caller holding the rows'
   * locks always moves them all). Moved resources' objects take their new state. `also` adds a write of
   * the caller's to the statement, made from the CTE of the moved rows (columns resource_id, from_state,
   * via_state, to_state).
   */
  async moveAll(
    manager: EntityManager,
    moves: Move[],
    also?: (params: SqlParams, moved: string) => string,
  ): Promise<Set<string>> {
    if (moves.length === 0) return new Set();
    const current = requestContext.get() ?? null;
    const rows = moves.map(({ resource, to, reason = null, changes = {}, context, via }, n) => {
      const from = resource.state;
      if (via ? !canMove(from, via.state) || !canMove(via.state, to) : !canMove(from, to))
        throw invalidTransition(resource, via?.state ?? to);
      return {
        n,
        resource_id: resource.id,
        from_state: from,
        to_state: to,
        reason,
        via_state: via?.state ?? null,
        via_at: via?.at ?? null,
        ...auditActor(context === undefined ? current : context),
        failure_reason: failureReason(to, reason),
        set_desired: changes.desiredState !== undefined,
        desired_state: changes.desiredState ?? null,
        set_observed: changes.observed !== undefined,
        observed: changes.observed ?? null,
        applied_spec_version: changes.appliedSpecVersion ?? null,
      };
    });
    const params = new SqlParams();
    const given = params.recordset(rows, MOVE_COLUMNS);
    // The ids again as an array: the planner has no row count for a recordset, and would read the whole
    // table to join it rather than look each id up in the index.
    const ids = params.add(
      rows.map((row) => row.resource_id),
      'uuid[]',
    );
    // The event carries the row's spec, not the caller's copy: a worker's copy was read before its driver
    // call, and a resize committed meanwhile must not be metered away by the move that follows it.
    const moved: Array<{ resource_id: string }> = await manager.query(
      `WITH moved AS (
         UPDATE resources r SET state = x.to_state, failure_reason = x.failure_reason,
           desired_state = CASE WHEN x.set_desired THEN x.desired_state ELSE r.desired_state END,
           observed = CASE WHEN x.set_observed THEN x.observed ELSE r.observed END,
           applied_spec_version = coalesce(x.applied_spec_version, r.applied_spec_version), updated_at = now()
         FROM ${given}
         WHERE r.id = ANY(${ids}) AND r.id = x.resource_id AND r.state = x.from_state
         RETURNING x.*, r.department_id, r.pool_id, r.spec),
       steps AS (${steps('moved')}),
       ${this.entries('steps')}
       ${also ? `, also AS (${also(params, 'moved')})` : ''}
       SELECT resource_id FROM moved`,
      params.values,
    );
    const movedIds = new Set(moved.map((row) => row.resource_id));
    moves.forEach(({ resource, to, reason = null, changes = {} }) => {
      if (!movedIds.has(resource.id)) return;
      Object.assign(resource, {
        state: to,
        failureReason: failureReason(to, reason),
        ...changes,
      });
    });
    return movedIds;
  }

  /** A new spec took effect: a 'resized' event with from = to = the current state. */
  async resized(manager: EntityManager, resource: Resource, before: Resource['spec'], reason: string | null) {
    const params = new SqlParams();
    const row = this.entry(
      0,
      resource,
      'resized',
      resource.state,
      reason,
      requestContext.get() ?? null,
      before,
    );
    await manager.query(
      `WITH given AS (SELECT * FROM ${params.recordset([row], ENTRY_COLUMNS)}), ${this.entries('given')} SELECT 1`,
      params.values,
    );
  }

  /**
   * New resources' events, as CTEs for the statement that inserts the resources: a move from nothing
   * through requested to the state its row was inserted in (queued: placed and admitted in the same
   * transaction), expanded by `steps` as any move is, each audited in the name of the request that asked
   * for it.
   * `inserted` is the CTE of the inserted rows (id, department_id, pool_id, spec, state): the entries
   * are made from it, so the statement carries each resource's spec once.
   */
  created(
    params: SqlParams,
    created: Array<{ resource: Resource; reason: string; context: RequestContext | null }>,
    inserted: string,
  ): string {
    const rows = created.map(({ resource, reason, context }, n) => {
      if (!canMove('requested', resource.state))
        throw invalidTransition({ ...resource, state: 'requested' }, resource.state);
      return { n, resource_id: resource.id, reason, ...auditActor(context) };
    });
    return `created AS (
        SELECT x.*, i.department_id, i.pool_id, i.spec, NULL::varchar AS from_state,
          'requested'::varchar AS via_state, NULL::timestamptz AS via_at, i.state AS to_state
        FROM ${params.recordset(rows, GIVEN_COLUMNS)} JOIN ${inserted} i ON i.id = x.resource_id),
      created_steps AS (${steps('created')}),
      ${this.entries('created_steps', 'created')}`;
  }

  /** The row of one event and its audit entry; `resource` is as it is after the event. */
  private entry(
    n: number,
    resource: Resource,
    type: ResourceEventType,
    from: ResourceState | null,
    reason: string | null,
    context: RequestContext | null,
    specBefore: Resource['spec'] | null = null,
  ): EntryRow {
    return {
      n,
      resource_id: resource.id,
      department_id: resource.departmentId,
      pool_id: resource.poolId,
      type,
      from_state: from,
      to_state: resource.state,
      spec: resource.spec,
      spec_before: specBefore,
      reason,
      occurred_at: null,
      ...auditActor(context),
    };
  }

  /**
   * Two CTEs writing an event and an audit entry per row of `source` (columns ENTRY_COLUMNS), in order
   * `n`. The entry is made from the event's columns here, not sent along with it: a set of moves then
   * sends the database little more than the ids.
   */
  private entries(source: string, prefix = ''): string {
    const resized = `type = 'resized'`;
    return `${prefix}event AS (
        INSERT INTO resource_events (resource_id, department_id, pool_id, type, from_state, to_state, spec, reason, occurred_at)
        SELECT resource_id, department_id, pool_id, type, from_state, to_state, spec, reason,
          coalesce(occurred_at, clock_timestamp()) FROM ${source} ORDER BY n),
      ${prefix}audit AS (${this.audit.insertEach(source, {
        action: `CASE WHEN ${resized} THEN 'resource.resize' ELSE 'resource.' || to_state END`,
        targetType: `'resource'`,
        targetId: 'resource_id::text',
        // A step dated back (provisioning, from when the driver was called) is audited at its time too,
        // so such an entry commits after its time, by as long as the driver call took.
        at: 'coalesce(occurred_at, now())',
        departmentId: 'department_id',
        before: `CASE WHEN ${resized} THEN jsonb_build_object('spec', spec_before) ELSE jsonb_build_object('state', from_state) END`,
        after: `CASE WHEN ${resized} THEN jsonb_build_object('spec', spec, 'reason', reason)
          ELSE jsonb_build_object('state', to_state, 'reason', reason) END`,
      })})`;
  }
}
