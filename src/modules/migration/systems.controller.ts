import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import {
  CreateSystemDto,
  ListInventoryQuery,
  OverrideStrategyDto,
  UpdateSystemDto,
} from './dto/system.dto.js';
import { TransitionDto } from './dto/transition.dto.js';
import { SystemsService } from './systems.service.js';
import { TransitionsService } from './transitions.service.js';

@ApiTags('migration')
@ApiBearerAuth()
@Controller('api/v1/systems')
export class SystemsController {
  constructor(
    private readonly systems: SystemsService,
    private readonly transitions: TransitionsService,
  ) {}

  @Get()
  @Roles(...READERS)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListInventoryQuery) {
    return this.systems.list(principal, query);
  }

  @Get(':id')
  @Roles(...READERS)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.systems.get(principal, id);
  }

  @Post()
  @Roles('operator', 'dept-admin')
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateSystemDto) {
    return this.systems.create(principal, dto);
  }

  @Patch(':id')
  @Roles('operator', 'dept-admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateSystemDto,
  ) {
    return this.systems.update(principal, id, dto);
  }

  @Delete(':id')
  @Roles('operator', 'dept-admin')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.systems.remove(principal, id);
  }

  /** Moves the system one step in its life cycle (409 when the table does not allow it). */
  @Post(':id/transitions')
  @Roles('operator', 'dept-admin')
  @HttpCode(200)
  transition(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: TransitionDto,
  ) {
    return this.transitions.transition(principal, 'system', id, dto);
  }

  @Get(':id/transitions')
  @Roles(...READERS)
  history(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.transitions.history(principal, 'system', id);
  }

  @Put(':id/strategy')
  @Roles('operator')
  overrideStrategy(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: OverrideStrategyDto,
  ) {
    return this.systems.overrideStrategy(principal, id, dto);
  }
}
