import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { AuditService } from '../modules/audit/audit.service.js';
import type { RatePricesDto } from '../modules/billing/dto/rate-card.dto.js';
import { RateCardsService } from '../modules/billing/rate-cards.service.js';
import { Pool, type PoolTier } from '../modules/provisioning/entities/pool.entity.js';
import { capacityOf } from '../modules/provisioning/pools/capacity.js';
import { SecretBox } from '../modules/provisioning/pools/secret-box.js';

/** The demo's two pools (DESIGN.md): tender-bought capacity and the city's own data centre. Both fake, so the demo runs anywhere. */
export const DEMO_POOLS: Array<
  [name: string, tier: PoolTier, vcpu: number, memoryGiB: number, storageGiB: number]
> = [
  ['政务云供应商池 Provider Pool', 'provider', 512, 2048, 50_000],
  ['市自建资源池 Self-managed Pool', 'self-managed', 128, 512, 20_000],
];

/**
 * The tender prices of each demo pool (招标价格, CNY, the precision a tender quotes), in force from the
 * start of 2024, so a finance login can compute a rebill for any month since.
 */
export const DEMO_RATE_CARDS: Record<PoolTier, { name: string; tenderRef: string; prices: RatePricesDto }> = {
  provider: {
    name: '2024 年政务云服务招标价格 Provider tender prices',
    tenderRef: 'SFCG-2023-0917',
    prices: {
      vcpuHour: '0.0825',
      memoryGiBHour: '0.0215',
      gpuHour: '6.80',
      storageGiBMonth: { standard: '0.35', ssd: '0.92' },
      publicIpMonth: '25.00',
      rackUnitMonth: '320.00',
    },
  },
  'self-managed': {
    name: '2024 年自建资源池运维定价 Self-managed pool prices',
    tenderRef: 'SFCG-2023-0918',
    prices: {
      vcpuHour: '0.064',
      memoryGiBHour: '0.018',
      gpuHour: '5.90',
      storageGiBMonth: { standard: '0.28', ssd: '0.78' },
      publicIpMonth: '20.00',
      rackUnitMonth: '260.00',
    },
  },
};
export const DEMO_CARDS_FROM = '2024-01-01';

/**
 * Pools for the demo city, each with its rate card, so a demo login can request a VM at once (quotas come from seedDemoQuotas;
 * 市公安局, flagged critical, lands on the self-managed pool).
 */
export async function seedDemoProvisioning(manager: EntityManager): Promise<void> {
  const box = new SecretBox(loadConfig());
  const cards = new RateCardsService(manager.connection, new AuditService());
  for (const [name, tier, vcpu, memoryGiB, storageGiB] of DEMO_POOLS) {
    const id = randomUUID();
    await manager.getRepository(Pool).insert({
      id,
      name,
      type: 'fake',
      tier,
      // A little latency, so the console shows queued → provisioning → running happen.
      connectionSealed: box.seal(JSON.stringify({ latencyMs: 800 }), id),
      capacity: capacityOf({ vcpu, memoryGiB, storageGiB }),
      allocated: capacityOf({}),
      enabled: true,
    });
    await cards.createIn(manager, { poolId: id, effectiveFrom: DEMO_CARDS_FROM, ...DEMO_RATE_CARDS[tier] });
  }
}
