import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { User } from '../modules/auth/entities/user.entity.js';
import { DepartmentQuota } from '../modules/quota/entities/department-quota.entity.js';
import { QuotaRequest } from '../modules/quota/entities/quota-request.entity.js';
import type { PartialAmounts } from '../modules/quota/quota-amounts.js';
import { QuotaLimitsService } from '../modules/quota/quota-limits.service.js';
import { Department } from '../modules/tenancy/entities/department.entity.js';

const CITY: PartialAmounts = {
  vcpu: 4096,
  memoryGiB: 16384,
  storageGiB: 512000,
  gpu: 16,
  publicIp: 128,
  instances: 1000,
};
const DISTRICT: PartialAmounts = {
  vcpu: 512,
  memoryGiB: 2048,
  storageGiB: 61440,
  gpu: 2,
  publicIp: 16,
  instances: 120,
};
const DEPARTMENT: PartialAmounts = {
  vcpu: 128,
  memoryGiB: 512,
  storageGiB: 10240,
  publicIp: 4,
  instances: 40,
};
const UNIT: PartialAmounts = { vcpu: 32, memoryGiB: 128, storageGiB: 2048, publicIp: 1, instances: 10 };

/**
 * Quotas for the demo city (after seedDemoCity): the city's capacity, handed down the tree top to
 * bottom through the allocation model, and two pending requests for the operator to decide.
 * Seeds once: a city that already has limits is left alone.
 */
export async function seedDemoQuotas(app: INestApplicationContext): Promise<void> {
  const dataSource = app.get(DataSource);
  const limits = app.get(QuotaLimitsService);
  const city = await dataSource.getRepository(Department).findOneBy({ code: 'city' });
  if (!city || (await dataSource.getRepository(DepartmentQuota).existsBy({ departmentId: city.id }))) return;
  await dataSource.transaction(async (manager) => {
    // Ordered by path, so every parent has its limits before its children ask for a share.
    const departments = await manager.getRepository(Department).find({ order: { path: 'ASC' } });
    const sorted = departments
      .filter((d) => d.path.startsWith(city.path))
      .sort((a, b) => a.path.split('/').length - b.path.split('/').length);
    for (const department of sorted) {
      const given =
        department.kind === 'city'
          ? CITY
          : department.kind === 'district'
            ? DISTRICT
            : department.kind === 'department'
              ? { ...DEPARTMENT, gpu: department.code === 'gaj' ? 4 : 0 }
              : { ...UNIT, gpu: 0 };
      await limits.setLimits(manager, department.id, given);
    }
    const byCode = new Map(departments.map((d) => [d.code, d]));
    const users = manager.getRepository(User);
    const asks: Array<[user: string, department: string, limits: PartialAmounts, reason: string]> = [
      [
        'gaj-admin',
        'gaj-xxzx',
        { vcpu: 64, memoryGiB: 256, gpu: 2 },
        '视频结构化平台扩容 Video analytics expansion',
      ],
      ['tjj-admin', 'tjj-pczx', { storageGiB: 8192 }, '经济普查数据归集 Economic census data collection'],
    ];
    for (const [username, code, asked, reason] of asks) {
      const user = await users.findOneBy({ username });
      const department = byCode.get(code);
      if (!user || !department) continue;
      await manager.getRepository(QuotaRequest).insert({
        departmentId: department.id,
        limits: asked,
        reason,
        requestedBy: user.id,
        state: 'pending',
      });
    }
  });
}
