import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { AuditService } from '../modules/audit/audit.service.js';
import { Pool, type PoolTier } from '../modules/provisioning/entities/pool.entity.js';
import { capacityOf } from '../modules/provisioning/pools/capacity.js';
import { SecretBox } from '../modules/provisioning/pools/secret-box.js';
import { QuotaLimitsService } from '../modules/quota/quota-limits.service.js';
import { DepartmentScope } from '../modules/tenancy/department-scope.js';
import type { Department } from '../modules/tenancy/entities/department.entity.js';

/** The demo's two pools (DESIGN.md): tender-bought capacity and the city's own data centre. Both fake, so the demo runs anywhere. */
export const DEMO_POOLS: Array<
  [name: string, tier: PoolTier, vcpu: number, memoryGiB: number, storageGiB: number]
> = [
  ['政务云供应商池 Provider Pool', 'provider', 512, 2048, 50_000],
  ['市自建资源池 Self-managed Pool', 'self-managed', 128, 512, 20_000],
];

/**
 * Pools and quota for the demo city, so a demo login can request a VM at once: the city's limit, and a
 * share of it for every municipal department (市公安局, flagged critical, lands on the self-managed pool).
 */
export async function seedDemoProvisioning(
  manager: EntityManager,
  city: Department,
  departments: Department[],
): Promise<void> {
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
  const quota = new QuotaLimitsService(
    manager.connection,
    new DepartmentScope(manager.connection),
    new AuditService(),
  );
  await quota.setLimits(manager, city.id, {
    vcpu: 2000,
    memoryGiB: 8000,
    storageGiB: 200_000,
    gpu: 8,
    publicIp: 50,
    instances: 500,
  });
  for (const department of departments)
    await quota.setLimits(manager, department.id, {
      vcpu: 64,
      memoryGiB: 256,
      storageGiB: 4000,
      publicIp: 2,
      instances: 20,
    });
}
