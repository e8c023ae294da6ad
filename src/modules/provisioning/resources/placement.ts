import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { conflict, DomainError, ErrorCode, invalid } from '../../../common/errors.js';
import type { SqlParams } from '../../../common/sql-params.js';
import { KINDS_OF_POOL, Pool, type ResourceKind } from '../entities/pool.entity.js';
import type { ResourceSpec } from '../entities/resource.entity.js';
import {
  CAPACITY_DIMENSIONS,
  capacityOf,
  firstShort,
  minus,
  plus,
  type Capacity,
  type CapacityDimension,
} from '../pools/capacity.js';

export interface PlacementRequest {
  kind: ResourceKind;
  critical: boolean;
  poolId?: string;
  needs: Capacity;
}

/** What a spec takes from a pool: every replica counts. */
export function capacityNeeds(spec: ResourceSpec): Capacity {
  const n = spec.replicas ?? 1;
  return {
    vcpu: spec.vcpu * n,
    memoryGiB: spec.memoryGiB * n,
    storageGiB: spec.storageGiB * n,
    gpu: (spec.gpu ?? 0) * n,
  };
}

/**
 * capacityNeeds in SQL, over the jsonb `spec` of a stored resource: each dimension's expression. In
 * numeric, as the code's numbers: a stored spec the API would not admit today (a fraction, written by an
 * import or an older release) is counted as the code counts it, and does not fail the whole sum.
 */
export function capacityNeedsSql(spec: string): Record<CapacityDimension, string> {
  const replicas = `coalesce((${spec}->>'replicas')::numeric, 1)`;
  const needs = {} as Record<CapacityDimension, string>;
  for (const d of CAPACITY_DIMENSIONS) needs[d] = `coalesce((${spec}->>'${d}')::numeric, 0) * ${replicas}`;
  return needs;
}

const free = (pool: Pool) => minus(capacityOf(pool.capacity), pool.allocated);

/** Why a pool cannot take the request, or null when it can. */
export function refusal(pool: Pool, request: PlacementRequest): string | null {
  if (!pool.enabled) return 'disabled';
  if (!KINDS_OF_POOL[pool.type].includes(request.kind)) return `a ${pool.type} pool runs no ${request.kind}`;
  if (request.critical && pool.tier !== 'self-managed')
    return 'critical systems may only use self-managed pools';
  const left = free(pool);
  const short = firstShort(left, request.needs);
  return short ? `not enough ${short} (needs ${request.needs[short]}, ${left[short]} left)` : null;
}

/** The pool chosen had room when read, but concurrent requests took it before this one could: try again. */
export class CapacityTaken extends DomainError {
  constructor(pool: Pool) {
    super(ErrorCode.Conflict, `pool ${pool.name}: its capacity was taken by concurrent requests, try again`);
  }
}

// One conditional UPDATE takes a pool's capacity: its row is locked only from here to the commit, and
// the WHERE (re-checked on the newest row after any wait for the lock) is what forbids overcommit.
// (Inside a WITH: TypeORM answers a top-level UPDATE as [rows, count].)
const TAKE = `WITH taken AS (UPDATE pools SET allocated = jsonb_build_object(${CAPACITY_DIMENSIONS.map(
  (d, i) => `'${d}', coalesce((allocated->>'${d}')::bigint, 0) + $${i + 3}::bigint`,
).join(', ')}), updated_at = now()
  WHERE id = $1 AND enabled AND (NOT $2::boolean OR tier = 'self-managed') AND ${CAPACITY_DIMENSIONS.map(
    (d, i) =>
      `($${i + 3}::bigint = 0 OR coalesce((allocated->>'${d}')::bigint, 0) + $${i + 3}::bigint <= coalesce((capacity->>'${d}')::bigint, 0))`,
  ).join(' AND ')}
  RETURNING allocated) SELECT allocated FROM taken`;

/**
 * Chooses the pool for a resource and takes its capacity, inside the caller's transaction. Admission
 * (`lockPools`, `choose` for each request, `saveAllocated`) decides on locked rows, so requests admitted
 * together see each other's takings and no two transactions both take the last of a pool; `take` is
 * the one-statement form for a caller placing a single resource on a pool it already chose.
 */
@Injectable()
export class Placement {
  /**
   * Reads and locks the pools a batch of requests may go to (those named, or all when one names none),
   * in id order, so batches cannot deadlock. FOR NO KEY UPDATE, as `lock`. Answers them by name.
   */
  async lockPools(manager: EntityManager, poolIds: string[] | null): Promise<Pool[]> {
    const qb = manager
      .getRepository(Pool)
      .createQueryBuilder('p')
      .setLock('for_no_key_update')
      .orderBy('p.id');
    if (poolIds) qb.where('p.id IN (:...ids)', { ids: [...new Set(poolIds)] });
    const pools = await qb.getMany();
    return pools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Picks among locked pools, provider tier first, then the emptiest (spreading load); 409 with every
   * pool's reason when none fits.
   */
  choose(pools: Pool[], request: PlacementRequest): Pool {
    const asked = request.poolId ? pools.filter((p) => p.id === request.poolId) : pools;
    if (request.poolId && asked.length === 0)
      throw invalid('poolId', `pool ${request.poolId} does not exist`);
    const reasons = asked.map((pool) => ({ pool: pool.name, reason: refusal(pool, request) }));
    const fitting = asked
      .filter((_, i) => reasons[i].reason === null)
      .sort((a, b) => tierRank(a) - tierRank(b) || headroom(b) - headroom(a));
    if (fitting.length === 0)
      throw conflict(
        asked.length === 0
          ? 'no pool fits: there are no pools'
          : `no pool fits: ${reasons.map((r) => `${r.pool}: ${r.reason}`).join('; ')}`,
        { reasons },
      );
    return fitting[0];
  }

  /** Takes capacity on a locked pool in memory, so the requests chosen after see it; `saveAllocated` writes it. */
  hold(pool: Pool, needs: Capacity): void {
    pool.allocated = plus(capacityOf(pool.allocated), needs);
  }

  /** A CTE writing what was held on these locked pools, for the caller's statement. */
  saveAllocated(params: SqlParams, pools: Pool[]): string {
    const allocated = pools.map((pool) => ({ id: pool.id, allocated: pool.allocated }));
    return `allocated AS (
      UPDATE pools p SET allocated = x.allocated, updated_at = now()
      FROM jsonb_to_recordset(${params.json(allocated)}) AS x(id uuid, allocated jsonb) WHERE p.id = x.id)`;
  }

  /** Takes the request's capacity on the chosen pool, or throws CapacityTaken when it no longer fits. */
  async take(manager: EntityManager, pool: Pool, request: PlacementRequest): Promise<void> {
    const rows: Array<{ allocated: Capacity }> = await manager.query(TAKE, [
      pool.id,
      request.critical,
      ...CAPACITY_DIMENSIONS.map((d) => request.needs[d]),
    ]);
    if (rows.length === 0) throw new CapacityTaken(pool);
    pool.allocated = rows[0].allocated;
  }

  /** A resize on its pool: an increase must fit what is left, a decrease gives back. */
  async resize(manager: EntityManager, poolId: string, before: Capacity, after: Capacity): Promise<void> {
    const pool = await this.lock(manager, poolId);
    const delta = minus(after, before);
    const short = firstShort(free(pool), delta);
    if (short)
      throw conflict(
        `pool ${pool.name}: not enough ${short} to resize (needs ${delta[short]} more, ${free(pool)[short]} left)`,
      );
    await this.setAllocated(manager, pool, plus(capacityOf(pool.allocated), delta));
  }

  /**
   * Gives a deleted resource's capacity back. Answers the dimensions in which that was more than the
   * pool had allocated: its books were already wrong, which the caller logs once committed, and the
   * reconciler reports until someone mends them. Such a dimension stops at zero, as a negative
   * allocation means nothing.
   */
  async release(manager: EntityManager, poolId: string, needs: Capacity): Promise<CapacityDimension[]> {
    const pool = await this.lock(manager, poolId);
    const left = minus(capacityOf(pool.allocated), needs);
    const short = CAPACITY_DIMENSIONS.filter((d) => left[d] < 0);
    for (const d of short) left[d] = 0;
    await this.setAllocated(manager, pool, left);
    return short;
  }

  /**
   * FOR NO KEY UPDATE, not FOR UPDATE: a request inserting its resource holds a key-share lock on the
   * pool's row (the foreign key) while it waits for the quota row, so a worker releasing capacity with
   * the quota row in hand and asking FOR UPDATE here would deadlock with it.
   */
  private async lock(manager: EntityManager, id: string): Promise<Pool> {
    return manager
      .getRepository(Pool)
      .createQueryBuilder('p')
      .setLock('for_no_key_update')
      .where('p.id = :id', { id })
      .getOneOrFail();
  }

  private async setAllocated(manager: EntityManager, pool: Pool, allocated: Capacity): Promise<void> {
    pool.allocated = allocated;
    await manager.getRepository(Pool).update({ id: pool.id }, { allocated });
  }
}

/** The city's own data centre is kept for what must run there: provider pools are tried first. */
const tierRank = (pool: Pool) => (pool.tier === 'provider' ? 0 : 1);

/** The share of vCPU still free: the emptiest pool is tried first. */
function headroom(pool: Pool): number {
  const capacity = capacityOf(pool.capacity);
  return capacity.vcpu === 0 ? 0 : free(pool).vcpu / capacity.vcpu;
}
