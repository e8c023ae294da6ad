import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { loadConfig } from '../config/config.js';
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
 * Pools for the demo city, so a demo login can request a VM at once (quotas come from seedDemoQuotas;
 * 市公安局, flagged critical, lands on the self-managed pool).
 */
export async function seedDemoProvisioning(manager: EntityManager): Promise<void> {
  const box = new SecretBox(loadConfig());
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
  }
}
