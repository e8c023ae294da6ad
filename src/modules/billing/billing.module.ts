import { BudgetsService } from './budgets.service.js';
import { FiscalEffectService } from './fiscal-effect.service.js';
import { ReportsController } from './reports.controller.js';
import { UsageReportService } from './usage-report.service.js';
import { Module } from '@nestjs/common';
import { RateCardsController } from './rate-cards.controller.js';
import { RateCardsService } from './rate-cards.service.js';
import { RebillExplainService } from './rebill-explain.service.js';
import { RebillQueryService } from './rebill-query.service.js';
import { RebillsController } from './rebills.controller.js';
import { RebillsService } from './rebills.service.js';

@Module({
  controllers: [RateCardsController, RebillsController, ReportsController],
  providers: [
    RateCardsService,
    RebillsService,
    RebillQueryService,
    RebillExplainService,
    UsageReportService,
    BudgetsService,
    FiscalEffectService,
  ],
  exports: [RateCardsService, RebillsService, RebillQueryService],
})
export class BillingModule {}
