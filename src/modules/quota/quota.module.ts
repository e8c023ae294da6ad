import { Module } from '@nestjs/common';
import { QuotaController } from './quota.controller.js';
import { QuotaDriftService } from './quota-drift.service.js';
import { QuotaLimitsService } from './quota-limits.service.js';
import { QuotaRequestsController } from './quota-requests.controller.js';
import { QuotaRequestsService } from './quota-requests.service.js';
import { QuotaService } from './quota.service.js';

/** Quotas: limits over the department tree, the usage ledger, admission, drift check, quota requests. */
@Module({
  controllers: [QuotaController, QuotaRequestsController],
  providers: [QuotaService, QuotaLimitsService, QuotaDriftService, QuotaRequestsService],
  exports: [QuotaService, QuotaLimitsService],
})
export class QuotaModule {}
