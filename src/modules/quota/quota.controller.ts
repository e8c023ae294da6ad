import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { QuotaQuery, SetQuotaDto } from './dto/quota.dto.js';
import { requireSome } from './quota-amounts.js';
import { QuotaDriftService } from './quota-drift.service.js';
import { QuotaLimitsService } from './quota-limits.service.js';

@ApiTags('quota')
@ApiBearerAuth()
@Controller('api/v1')
export class QuotaController {
  constructor(
    private readonly limits: QuotaLimitsService,
    private readonly drift: QuotaDriftService,
  ) {}

  /** {limits, used, allocatedToChildren, available} per dimension; ?subtree=true adds every department below. */
  @Get('departments/:id/quota')
  @Roles(...READERS)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string, @Query() query: QuotaQuery) {
    return query.subtree ? this.limits.subtree(principal, id) : this.limits.get(principal, id);
  }

  @Put('departments/:id/quota')
  @Roles('operator')
  put(@UuidParam('id') id: string, @Body() dto: SetQuotaDto) {
    return this.limits.put(id, requireSome(dto.limits, 'limits'));
  }

  /** Departments at or above 80% of a limit (use plus what they handed to their children). */
  @Get('quota/near-limit')
  @Roles(...READERS)
  nearLimit(@CurrentPrincipal() principal: Principal) {
    return this.limits.nearLimit(principal);
  }

  /** Recomputes use from the ledger and allocation from the children's limits; lists every difference. */
  @Get('quota/drift')
  @Roles('operator', 'auditor')
  driftCheck() {
    return this.drift.check();
  }
}
