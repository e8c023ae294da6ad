import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { PartialAmounts } from '../../src/modules/quota/quota-amounts.js';
import { QuotaLimitsService } from '../../src/modules/quota/quota-limits.service.js';
import { QuotaService } from '../../src/modules/quota/quota.service.js';
import type { TestApp } from './harness.js';

/** Drives quotas through the services, as provisioning will: each call in its own transaction. */
export class QuotaDriver {
  readonly service: QuotaService;
  readonly limitsService: QuotaLimitsService;
  private readonly dataSource: DataSource;

  constructor(t: TestApp) {
    this.service = t.app.get(QuotaService);
    this.limitsService = t.app.get(QuotaLimitsService);
    this.dataSource = t.dataSource;
  }

  limits(departmentId: string, limits: PartialAmounts) {
    return this.dataSource.transaction((m) => this.limitsService.setLimits(m, departmentId, limits));
  }

  reserve(departmentId: string, amounts: PartialAmounts, resourceId: string = randomUUID()) {
    return this.dataSource
      .transaction((m) => this.service.reserve(m, { departmentId, resourceId, amounts }))
      .then(() => resourceId);
  }

  adjust(departmentId: string, resourceId: string, amounts: PartialAmounts) {
    return this.dataSource.transaction((m) => this.service.adjust(m, { departmentId, resourceId, amounts }));
  }

  release(resourceId: string) {
    return this.dataSource.transaction((m) => this.service.release(m, resourceId));
  }

  commit(resourceId: string) {
    return this.dataSource.transaction((m) => this.service.commit(m, resourceId));
  }

  /** The department's use recomputed from the ledger, per dimension. */
  async ledgerSum(departmentId: string): Promise<Record<string, number>> {
    const [row] = await this.dataSource.query(
      `SELECT coalesce(sum(vcpu), 0)::int AS vcpu, coalesce(sum(memory_gib), 0)::int AS "memoryGiB",
              coalesce(sum(instances), 0)::int AS instances
       FROM quota_ledger WHERE department_id = $1`,
      [departmentId],
    );
    return row;
  }
}
