import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../../common/dto.js';
import { CurrentPrincipal, READERS, Roles } from '../../auth/decorators.js';
import type { Principal } from '../../auth/principal.js';
import {
  CreateResourceDto,
  CreateResourcesDto,
  ListResourcesQuery,
  ResizeResourceDto,
} from '../dto/resource.dto.js';
import { ResourceActionsService } from './resource-actions.service.js';
import { ResourcesService } from './resources.service.js';

/**
 * VMs and containers. Dept-admins act within their subtree (others' resources answer 404), operators
 * everywhere; finance and auditors read. Changes answer 202: the worker finishes them.
 */
@ApiTags('resources')
@ApiBearerAuth()
@Controller('api/v1/resources')
export class ResourcesController {
  constructor(
    private readonly resources: ResourcesService,
    private readonly actions: ResourceActionsService,
  ) {}

  @Post()
  @Roles('operator', 'dept-admin')
  @HttpCode(202)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'the same key and body answer the same resource; the same key with another body answers 409',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateResourceDto,
    @Headers('idempotency-key') key?: string,
  ) {
    return this.resources.create(principal, dto, key);
  }

  @Post('bulk')
  @Roles('operator', 'dept-admin')
  @HttpCode(202)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'the same key and body answer the same resources; the same key with another body answers 409',
  })
  createMany(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateResourcesDto,
    @Headers('idempotency-key') key?: string,
  ) {
    return this.resources.createMany(principal, dto, key);
  }

  @Get()
  @Roles(...READERS)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListResourcesQuery) {
    return this.resources.list(principal, query);
  }

  @Get(':id')
  @Roles(...READERS)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.resources.get(principal, id);
  }

  @Post(':id/stop')
  @Roles('operator', 'dept-admin')
  @HttpCode(202)
  stop(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.actions.stop(principal, id);
  }

  @Post(':id/start')
  @Roles('operator', 'dept-admin')
  @HttpCode(202)
  start(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.actions.start(principal, id);
  }

  @Post(':id/retry')
  @Roles('operator', 'dept-admin')
  @HttpCode(202)
  retry(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.actions.retry(principal, id);
  }

  @Patch(':id')
  @Roles('operator', 'dept-admin')
  @HttpCode(202)
  resize(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ResizeResourceDto,
  ) {
    return this.actions.resize(principal, id, dto.spec);
  }

  @Delete(':id')
  @Roles('operator', 'dept-admin')
  @HttpCode(202)
  remove(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.actions.remove(principal, id);
  }
}
