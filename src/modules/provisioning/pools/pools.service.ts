import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { conflict, invalid, notFound } from '../../../common/errors.js';
import { AuditService } from '../../audit/audit.service.js';
import type {
  AddCapacityDto,
  CapacityDeltaDto,
  CreatePoolDto,
  ReconcileEventsQuery,
  UpdatePoolDto,
} from '../dto/pool.dto.js';
import { Pool } from '../entities/pool.entity.js';
import { ReconcileEvent } from '../entities/reconcile-event.entity.js';
import { CAPACITY_DIMENSIONS, capacityOf, minus, plus, type Capacity } from './capacity.js';
import { checkConnection } from './connection.js';
import { SecretBox } from './secret-box.js';

/** What the API answers for a pool: never the connection. */
export type PoolView = Omit<Pool, 'connectionSealed'> & { remaining: Capacity };

export function poolView(pool: Pool): PoolView {
  const { connectionSealed: _secret, ...rest } = pool;
  return { ...rest, remaining: minus(capacityOf(pool.capacity), pool.allocated) };
}

@Injectable()
export class PoolsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
  ) {}

  async list(): Promise<PoolView[]> {
    const pools = await this.dataSource.getRepository(Pool).find({ order: { name: 'ASC' } });
    return pools.map(poolView);
  }

  async get(id: string): Promise<PoolView> {
    const pool = await this.dataSource.getRepository(Pool).findOneBy({ id });
    if (!pool) throw notFound('pool', id);
    return poolView(pool);
  }

  /** What the reconciler found and did on the pool, newest first: recreations, redrives, orphans, errors. */
  async reconcileEvents(
    id: string,
    query: ReconcileEventsQuery,
  ): Promise<{ items: ReconcileEvent[]; total: number }> {
    if (!(await this.dataSource.getRepository(Pool).existsBy({ id }))) throw notFound('pool', id);
    const [items, total] = await this.dataSource.getRepository(ReconcileEvent).findAndCount({
      where: { poolId: id, ...(query.action && { action: query.action }) },
      order: { occurredAt: 'DESC', id: 'DESC' },
      take: query.limit ?? 100,
      skip: query.offset ?? 0,
    });
    return { items, total };
  }

  async create(dto: CreatePoolDto): Promise<PoolView> {
    checkConnection(dto.type, dto.connection);
    return this.dataSource.transaction(async (manager) => {
      const id = randomUUID();
      const pool = manager.getRepository(Pool).create({
        id,
        name: dto.name,
        type: dto.type,
        tier: dto.tier,
        connectionSealed: this.secrets.seal(dto.connection, id),
        capacity: capacityOf(dto.capacity),
        allocated: capacityOf({}),
        enabled: dto.enabled ?? true,
      });
      await manager.getRepository(Pool).insert(pool);
      const view = poolView(pool);
      await this.audit.record(manager, {
        action: 'pool.create',
        targetType: 'pool',
        targetId: id,
        after: view,
      });
      return view;
    });
  }

  async update(id: string, dto: UpdatePoolDto): Promise<PoolView> {
    return this.dataSource.transaction(async (manager) => {
      const pool = await this.lock(manager, id);
      const before = poolView(pool);
      if (dto.connection !== undefined) {
        checkConnection(pool.type, dto.connection);
        pool.connectionSealed = this.secrets.seal(dto.connection, id);
      }
      if (dto.capacity) {
        const capacity = capacityOf(dto.capacity);
        const short = CAPACITY_DIMENSIONS.find((d) => capacity[d] < pool.allocated[d]);
        if (short)
          throw conflict(
            `capacity.${short}: ${capacity[short]} is below the ${pool.allocated[short]} already allocated`,
          );
        pool.capacity = capacity;
      }
      if (dto.name !== undefined) pool.name = dto.name;
      if (dto.tier !== undefined) pool.tier = dto.tier;
      if (dto.enabled !== undefined) pool.enabled = dto.enabled;
      await manager.getRepository(Pool).save(pool);
      const after = poolView(pool);
      await this.audit.record(manager, {
        action: 'pool.update',
        targetType: 'pool',
        targetId: id,
        before,
        after: { ...after, connectionChanged: dto.connection !== undefined },
      });
      return after;
    });
  }

  /** Only a pool nothing was ever placed on goes; one with history is disabled instead (billing reads it). */
  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const pool = await this.lock(manager, id);
      const [{ count }] = await manager.query(
        `SELECT count(*)::int AS count FROM resources WHERE pool_id = $1`,
        [id],
      );
      if (count > 0)
        throw conflict(
          `pool ${pool.name} has ${count} resource(s) on record: disable it instead (enabled: false)`,
        );
      await manager.getRepository(Pool).delete({ id });
      await this.audit.record(manager, {
        action: 'pool.delete',
        targetType: 'pool',
        targetId: id,
        before: poolView(pool),
      });
    });
  }

  /**
   * Raises a pool's capacity inside the caller's transaction, audited with the reason. The server-rooms
   * capability calls this when a closed room's reusable equipment joins the cloud pool.
   */
  async addCapacity(
    manager: EntityManager,
    poolId: string,
    amounts: Partial<Capacity>,
    reason: string,
  ): Promise<PoolView> {
    for (const d of CAPACITY_DIMENSIONS) {
      const value = amounts[d];
      if (value !== undefined && (!Number.isInteger(value) || value < 0))
        throw invalid(`amounts.${d}`, 'must be a whole number, 0 or more');
    }
    const pool = await this.lock(manager, poolId);
    const before = poolView(pool);
    pool.capacity = plus(capacityOf(pool.capacity), amounts);
    await manager.getRepository(Pool).update({ id: poolId }, { capacity: pool.capacity });
    const after = poolView(pool);
    await this.audit.record(manager, {
      action: 'pool.capacity-add',
      targetType: 'pool',
      targetId: poolId,
      before,
      after: { ...after, added: amounts, reason },
    });
    return after;
  }

  addCapacityNow(poolId: string, dto: AddCapacityDto): Promise<PoolView> {
    return this.dataSource.transaction((manager) =>
      this.addCapacity(manager, poolId, dto.amounts as CapacityDeltaDto & Partial<Capacity>, dto.reason),
    );
  }

  /** The decrypted connection, for the driver only. */
  async connectionOf(poolId: string, manager: EntityManager = this.dataSource.manager): Promise<string> {
    const row = await manager
      .getRepository(Pool)
      .createQueryBuilder('p')
      .addSelect('p.connectionSealed')
      .where('p.id = :poolId', { poolId })
      .getOne();
    if (!row) throw notFound('pool', poolId);
    return this.secrets.open(row.connectionSealed, poolId);
  }

  async lock(manager: EntityManager, id: string): Promise<Pool> {
    const pool = await manager
      .getRepository(Pool)
      .createQueryBuilder('p')
      .addSelect('p.connectionSealed')
      .setLock('pessimistic_write')
      .where('p.id = :id', { id })
      .getOne();
    if (!pool) throw notFound('pool', id);
    return pool;
  }
}
