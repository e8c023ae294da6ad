import { Module } from '@nestjs/common';
import { RateCardsController } from './rate-cards.controller.js';
import { RateCardsService } from './rate-cards.service.js';
import { RebillExplainService } from './rebill-explain.service.js';
import { RebillQueryService } from './rebill-query.service.js';
import { RebillsController } from './rebills.controller.js';
import { RebillsService } from './rebills.service.js';

@Module({
  controllers: [RateCardsController, RebillsController],
  providers: [RateCardsService, RebillsService, RebillQueryService, RebillExplainService],
  exports: [RateCardsService, RebillsService, RebillQueryService],
})
export class BillingModule {}
