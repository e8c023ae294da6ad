import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { requestContext, type RequestContext } from '../../../common/request-context.js';
import { timeOrderedUuid } from '../../../common/time-ordered-uuid.js';
import { SqlParams } from '../../../common/sql-params.js';
import type { Principal } from '../../auth/principal.js';
import { convergeJobs, JobName } from '../../jobs/job-catalogue.js';
import { OutboxService } from '../../jobs/outbox.service.js';
import { QuotaService } from '../../quota/index.js';
import { DepartmentScope } from '../../tenancy/department-scope.js';
import type { CreateResourceDto } from '../dto/resource.dto.js';
import { Resource } from '../entities/resource.entity.js';
import { times } from '../pools/capacity.js';
import { capacityNeeds, Placement } from './placement.js';
import { quotaNeeds } from './resource-spec.js';
import { ResourceTransitions } from './resource-transitions.js';

/** A checked request for new resources of one spec, all admitted on one pool or none, waiting for admission. */
export interface AdmissionRequest {
  principal: Principal;
  dto: CreateResourceDto;
  departmentId: string;
  labels: Record<string, string>;
  /** One resource per name, in this order. */
  names: string[];
  /** With an Idempotency-Key: each resource's key, in the order of `names`. */
  idempotencyKeys?: string[];
  requestHash: string;
}

interface Waiting {
  request: AdmissionRequest;
  /** The request's own, for its audit entries: the batch runs in whichever request started it. */
  context: RequestContext | null;
  resolve: (resources: Resource[]) => void;
  reject: (error: unknown) => void;
}

interface DepartmentRow {
  id: string;
  path: string;
  criticalByPolicy: boolean;
}

/** Resources admitted in one transaction: enough to amortise it, few enough not to hold the locks long. */
const MAX_BATCH = 200;

// A department and whether it or any ancestor is flagged critical: a unit of 市公安局 is as critical as the bureau.
const DEPARTMENTS = `SELECT d.id, d.path,
    (SELECT coalesce(bool_or(a.critical), false) FROM departments a
     WHERE a.id = ANY(string_to_array(trim(both '/' from d.path), '/')::uuid[])) AS "criticalByPolicy"
  FROM departments d WHERE d.id = ANY($1::uuid[])`;

const COLUMNS: ReadonlyArray<readonly [string, string]> = Object.entries({
  id: 'uuid',
  department_id: 'uuid',
  pool_id: 'uuid',
  kind: 'varchar',
  name: 'varchar',
  spec: 'jsonb',
  labels: 'jsonb',
  critical: 'boolean',
  state: 'varchar',
  desired_state: 'varchar',
  requested_by: 'uuid',
  idempotency_key: 'varchar',
  request_hash: 'char(64)',
});

/**
 * The CTE `inserted`, inserting new resources' rows (failure reason and observed start null): it answers
 * their timestamps, and what their events are made of.
 */
function insertResources(params: SqlParams, resources: Resource[]): string {
  const rows = resources.map((r) => ({
    id: r.id,
    department_id: r.departmentId,
    pool_id: r.poolId,
    kind: r.kind,
    name: r.name,
    spec: r.spec,
    labels: r.labels,
    critical: r.critical,
    state: r.state,
    desired_state: r.desiredState,
    requested_by: r.requestedBy,
    idempotency_key: r.idempotencyKey,
    request_hash: r.requestHash,
  }));
  const columns = COLUMNS.map(([column]) => column).join(', ');
  return `inserted AS (
    INSERT INTO resources (${columns})
    SELECT ${columns} FROM ${params.recordset(rows, COLUMNS)}
    RETURNING id, created_at, updated_at, department_id, pool_id, spec, state)`;
}

/**
 * Admits new resources by group commit: the requests that arrive while one transaction runs are
 * admitted together in the next, which reads the departments once, locks their quota rows and the
 * pools once, decides each request in arrival order against what the earlier ones took, and writes
 * all the admitted ones' rows, events, audit entries, jobs, reservations and pool capacity in a few
 * statements. Each request still gets its own answer: a refusal (404, 400, 409) is that request's
 * alone, and if the transaction itself fails (a unique index, say) each request is tried again alone,
 * so no request fails for another's sake.
 */
@Injectable()
export class Admission {
  private readonly waiting: Waiting[] = [];
  private draining = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly quota: QuotaService,
    private readonly placement: Placement,
    private readonly transitions: ResourceTransitions,
    private readonly outbox: OutboxService,
  ) {}

  /** Resolves with the new resources once their transaction has committed, or rejects with why they were refused. */
  admit(request: AdmissionRequest): Promise<Resource[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, context: requestContext.get() ?? null, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        // At least one request, however many resources it asks for.
        let n = 1;
        let resources = this.waiting[0].request.names.length;
        while (n < this.waiting.length && resources + this.waiting[n].request.names.length <= MAX_BATCH)
          resources += this.waiting[n++].request.names.length;
        await this.settle(this.waiting.splice(0, n));
      }
    } finally {
      this.draining = false;
    }
  }

  private async settle(batch: Waiting[]): Promise<void> {
    let outcomes: Array<Resource[] | Error>;
    try {
      outcomes = await this.dataSource.transaction((manager) => this.admitAll(manager, batch));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      for (const one of batch) await this.settle([one]);
      return;
    }
    outcomes.forEach((outcome, i) =>
      outcome instanceof Error ? batch[i].reject(outcome) : batch[i].resolve(outcome),
    );
  }

  /** One transaction for the batch; answers each request's resources or its refusal, in order. */
  private async admitAll(manager: EntityManager, batch: Waiting[]): Promise<Array<Resource[] | Error>> {
    const requests = batch.map((w) => w.request);
    const own = requests.flatMap((r) => (r.principal.departmentId ? [r.principal.departmentId] : []));
    const rows: DepartmentRow[] = await manager.query(DEPARTMENTS, [
      [...new Set([...requests.map((r) => r.departmentId), ...own])],
    ]);
    const departments = new Map(rows.map((d) => [d.id, d]));
    const visible = requests.map((r) => {
      try {
        return this.scope.check(r.principal, r.departmentId, (id) => departments.get(id));
      } catch (error) {
        return error as Error;
      }
    });
    // Quota rows first, then pools: the order every path locks the two in.
    const quota = await this.quota.batch(
      manager,
      requests.filter((_, i) => !(visible[i] instanceof Error)).map((r) => r.departmentId),
    );
    const named = requests.every((r) => r.dto.poolId) ? requests.map((r) => r.dto.poolId!) : null;
    const pools = await this.placement.lockPools(manager, named);

    const outcomes: Array<Resource[] | Error> = [];
    const admitted: Array<{ resource: Resource; reason: string; context: RequestContext | null }> = [];
    requests.forEach((r, i) => {
      const department = visible[i];
      if (department instanceof Error) return void outcomes.push(department);
      try {
        const spec = { ...r.dto.spec };
        const critical = r.dto.critical === true || department.criticalByPolicy;
        const needs = times(capacityNeeds(spec), r.names.length);
        const pool = this.placement.choose(pools, {
          kind: r.dto.kind,
          critical,
          poolId: r.dto.poolId,
          needs,
        });
        // Made directly: the repository's create copies each property through the entity's metadata.
        const resources = r.names.map((name, n) =>
          Object.assign(new Resource(), {
            // Time-ordered: the indexes on resource ids (of resources, their events, ledger and audit
            // entries) then cost the database far less once they outgrow its cache.
            id: timeOrderedUuid(),
            departmentId: r.departmentId,
            poolId: pool.id,
            kind: r.dto.kind,
            name,
            spec,
            // As the table's defaults make them (the insert leaves both out).
            specVersion: 1,
            appliedSpecVersion: null,
            labels: r.labels,
            critical,
            state: 'queued',
            desiredState: 'running',
            failureReason: null,
            observed: null,
            requestedBy: r.principal.userId,
            idempotencyKey: r.idempotencyKeys?.[n] ?? null,
            requestHash: r.idempotencyKeys ? r.requestHash : null,
            deletedAt: null,
          } satisfies Omit<Resource, 'createdAt' | 'updatedAt'>),
        );
        quota.take({
          departmentId: r.departmentId,
          resourceIds: resources.map((resource) => resource.id),
          amounts: quotaNeeds(spec),
        });
        this.placement.hold(pool, needs);
        outcomes.push(resources);
        for (const resource of resources)
          admitted.push({ resource, reason: `placed on pool ${pool.name}`, context: batch[i].context });
      } catch (error) {
        outcomes.push(error as Error);
      }
    });
    if (admitted.length === 0) return outcomes;

    // One statement writes them all; the resources' rows are read back for their timestamps.
    const resources = admitted.map((a) => a.resource);
    // Jobs per pool: a slow or failing pool holds up only its own resources.
    const byPool = new Map<string, string[]>();
    for (const { id, poolId } of resources) byPool.set(poolId, [...(byPool.get(poolId) ?? []), id]);
    const params = new SqlParams();
    const inserted: Array<{ id: string; created_at: Date; updated_at: Date }> = await manager.query(
      `WITH ${insertResources(params, resources)},
        ${this.transitions.created(params, admitted, 'inserted')},
        ${this.outbox.insert(
          params,
          JobName.ResourceConverge,
          [...byPool.values()].flatMap((ids) => convergeJobs(ids)),
        )},
        ${quota.write(params)},
        ${this.placement.saveAllocated(
          params,
          pools.filter((pool) => resources.some((resource) => resource.poolId === pool.id)),
        )}
       SELECT inserted.id, inserted.created_at, inserted.updated_at FROM inserted, (SELECT count(*) FROM notified) AS notified`,
      params.values,
    );
    const written = new Map(inserted.map((row) => [row.id, row]));
    for (const resource of resources) {
      resource.createdAt = written.get(resource.id)!.created_at;
      resource.updatedAt = written.get(resource.id)!.updated_at;
    }
    return outcomes;
  }
}
