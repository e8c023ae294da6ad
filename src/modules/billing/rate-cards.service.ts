import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { conflict, invalid, notFound } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import type { RatePrices, RateTerms } from './metering.js';
import { DECIMAL_STRING, Dec } from './money.js';
import type {
  CreateRateCardDto,
  ListRateCardsQuery,
  RatePricesDto,
  UpdateRateCardDto,
} from './dto/rate-card.dto.js';
import { RateCard, RateCardStoragePrice } from './entities/rate-card.entity.js';

const TIER = /^[a-z][a-z0-9-]{0,31}$/;

/** A card as the API answers it: prices as decimal strings, and whether a finalised rebill froze it. */
export interface RateCardView {
  id: string;
  poolId: string;
  name: string;
  tenderRef: string | null;
  effectiveFrom: string;
  currency: string;
  prices: RatePrices;
  storageBilling: 'exists' | 'running';
  locked: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function termsOf(card: RateCard): RateTerms {
  return {
    id: card.id,
    poolId: card.poolId,
    effectiveFrom: new Date(`${card.effectiveFrom}T00:00:00Z`),
    storageBilling: card.storageBilling,
    prices: {
      vcpuHour: card.vcpuHour.toFixed(),
      memoryGiBHour: card.memoryGiBHour.toFixed(),
      gpuHour: card.gpuHour.toFixed(),
      publicIpMonth: card.publicIpMonth.toFixed(),
      rackUnitMonth: card.rackUnitMonth.toFixed(),
      storageGiBMonth: Object.fromEntries(
        [...(card.storage ?? [])]
          .sort((a, b) => a.tier.localeCompare(b.tier))
          .map((s) => [s.tier, s.gibMonth.toFixed()]),
      ),
    },
  };
}

function storagePrices(prices: RatePricesDto): Array<{ tier: string; gibMonth: Dec }> {
  const entries = Object.entries(prices.storageGiBMonth ?? {});
  if (!entries.some(([tier]) => tier === 'standard'))
    throw invalid('prices.storageGiBMonth', "must price the 'standard' tier");
  return entries.map(([tier, value]) => {
    if (!TIER.test(tier))
      throw invalid(`prices.storageGiBMonth.${tier}`, 'tier names are lower-case letters, digits and -');
    if (typeof value !== 'string' || !DECIMAL_STRING.test(value))
      throw invalid(`prices.storageGiBMonth.${tier}`, 'must be a decimal string with at most 6 decimals');
    return { tier, gibMonth: new Dec(value) };
  });
}

function priceColumns(prices: RatePricesDto) {
  return {
    vcpuHour: new Dec(prices.vcpuHour),
    memoryGiBHour: new Dec(prices.memoryGiBHour),
    gpuHour: new Dec(prices.gpuHour),
    publicIpMonth: new Dec(prices.publicIpMonth),
    rackUnitMonth: new Dec(prices.rackUnitMonth),
  };
}

@Injectable()
export class RateCardsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListRateCardsQuery): Promise<RateCardView[]> {
    const cards = await this.dataSource.getRepository(RateCard).find({
      where: query.poolId ? { poolId: query.poolId } : {},
      order: { poolId: 'ASC', effectiveFrom: 'ASC' },
    });
    const locked = await this.lockedIds(
      this.dataSource.manager,
      cards.map((c) => c.id),
    );
    return cards.map((card) => this.view(card, locked.has(card.id)));
  }

  async get(id: string): Promise<RateCardView> {
    const card = await this.dataSource.getRepository(RateCard).findOneBy({ id });
    if (!card) throw notFound('rate card', id);
    return this.view(card, (await this.lockedIds(this.dataSource.manager, [id])).has(id));
  }

  /** All cards, as the metering model reads them. */
  async terms(manager: EntityManager = this.dataSource.manager): Promise<RateTerms[]> {
    return (await manager.getRepository(RateCard).find()).map(termsOf);
  }

  async create(dto: CreateRateCardDto): Promise<RateCardView> {
    return this.dataSource.transaction((manager) => this.createIn(manager, dto));
  }

  /** Creates a card inside the caller's transaction (the demo seeds its cards with its pools). */
  async createIn(manager: EntityManager, dto: CreateRateCardDto): Promise<RateCardView> {
    const pool = await manager.query('SELECT id FROM pools WHERE id = $1', [dto.poolId]);
    if (pool.length === 0) throw invalid('poolId', `pool ${dto.poolId} does not exist`);
    const repo = manager.getRepository(RateCard);
    const card = repo.create({
      poolId: dto.poolId,
      name: dto.name,
      tenderRef: dto.tenderRef ?? null,
      effectiveFrom: dto.effectiveFrom,
      currency: dto.currency ?? 'CNY',
      storageBilling: dto.storageBilling ?? 'exists',
      ...priceColumns(dto.prices),
      storage: storagePrices(dto.prices).map((s) => manager.getRepository(RateCardStoragePrice).create(s)),
    });
    await repo.save(card);
    const saved = await repo.findOneByOrFail({ id: card.id });
    const view = this.view(saved, false);
    await this.audit.record(manager, {
      action: 'rate-card.create',
      targetType: 'rate-card',
      targetId: card.id,
      after: view,
    });
    return view;
  }

  async update(id: string, dto: UpdateRateCardDto): Promise<RateCardView> {
    return this.dataSource.transaction(async (manager) => {
      const before = await this.lockUnfrozen(manager, id);
      const repo = manager.getRepository(RateCard);
      await repo.update(
        { id },
        {
          ...(dto.name !== undefined && { name: dto.name }),
          ...(dto.tenderRef !== undefined && { tenderRef: dto.tenderRef }),
          ...(dto.effectiveFrom !== undefined && { effectiveFrom: dto.effectiveFrom }),
          ...(dto.storageBilling !== undefined && { storageBilling: dto.storageBilling }),
          ...(dto.prices && priceColumns(dto.prices)),
        },
      );
      if (dto.prices) {
        const storage = storagePrices(dto.prices);
        await manager.getRepository(RateCardStoragePrice).delete({ rateCardId: id });
        await manager
          .getRepository(RateCardStoragePrice)
          .insert(storage.map((s) => ({ ...s, rateCardId: id })));
      }
      const after = this.view(await repo.findOneByOrFail({ id }), false);
      await this.audit.record(manager, {
        action: 'rate-card.update',
        targetType: 'rate-card',
        targetId: id,
        before: this.view(before, false),
        after,
      });
      return after;
    });
  }

  /** Only a card no rebill line refers to goes (a draft's too: recompute it on another card first). */
  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const before = await this.lockUnfrozen(manager, id);
      const [used] = await manager.query('SELECT 1 FROM rebill_run_cards WHERE rate_card_id = $1 LIMIT 1', [
        id,
      ]);
      if (used) throw conflict(`rate card ${id} priced a draft rebill; recompute the draft without it first`);
      await manager.getRepository(RateCard).delete({ id });
      await this.audit.record(manager, {
        action: 'rate-card.delete',
        targetType: 'rate-card',
        targetId: id,
        before: this.view(before, false),
      });
    });
  }

  private async lockUnfrozen(manager: EntityManager, id: string): Promise<RateCard> {
    const card = await manager
      .getRepository(RateCard)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id = :id', { id })
      .getOne();
    if (!card) throw notFound('rate card', id);
    if ((await this.lockedIds(manager, [id])).has(id))
      throw conflict(
        `rate card ${id} priced a finalized rebill and can no longer change; add a new card instead`,
      );
    card.storage = await manager.getRepository(RateCardStoragePrice).findBy({ rateCardId: id });
    return card;
  }

  /** Cards a finalised rebill used: frozen for good. */
  private async lockedIds(manager: EntityManager, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT DISTINCT u.rate_card_id AS id FROM rebill_run_cards u JOIN rebill_runs r ON r.id = u.run_id
       WHERE r.state = 'finalized' AND u.rate_card_id = ANY($1::uuid[])`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  private view(card: RateCard, locked: boolean): RateCardView {
    const terms = termsOf(card);
    return {
      id: card.id,
      poolId: card.poolId,
      name: card.name,
      tenderRef: card.tenderRef,
      effectiveFrom: card.effectiveFrom,
      currency: card.currency,
      prices: terms.prices,
      storageBilling: card.storageBilling,
      locked,
      createdAt: card.createdAt,
      updatedAt: card.updatedAt,
    };
  }
}
