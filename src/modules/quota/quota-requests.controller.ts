import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import {
  ApproveQuotaRequestDto,
  CreateQuotaRequestDto,
  ListQuotaRequestsQuery,
  RejectQuotaRequestDto,
} from './dto/quota.dto.js';
import { QuotaRequestsService } from './quota-requests.service.js';

@ApiTags('quota')
@ApiBearerAuth()
@Controller('api/v1/quota-requests')
export class QuotaRequestsController {
  constructor(private readonly requests: QuotaRequestsService) {}

  /** Ask for new limits (absolute values) for your department or one below it. */
  @Post()
  @Roles('dept-admin', 'operator')
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateQuotaRequestDto) {
    return this.requests.create(principal, dto);
  }

  @Get()
  @Roles(...READERS)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListQuotaRequestsQuery) {
    return this.requests.list(principal, query);
  }

  @Get(':id')
  @Roles(...READERS)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.requests.get(principal, id);
  }

  /** Approve in full, or in part with lower limits; the limits apply at once. Not by the requester. */
  @Post(':id/approve')
  @Roles('operator')
  @HttpCode(200)
  approve(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ApproveQuotaRequestDto,
  ) {
    return this.requests.approve(principal, id, dto);
  }

  @Post(':id/reject')
  @Roles('operator')
  @HttpCode(200)
  reject(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: RejectQuotaRequestDto,
  ) {
    return this.requests.reject(principal, id, dto);
  }
}
