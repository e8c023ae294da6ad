import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../../common/dto.js';
import { READERS, Roles } from '../../auth/decorators.js';
import { AddCapacityDto, CreatePoolDto, ReconcileEventsQuery, UpdatePoolDto } from '../dto/pool.dto.js';
import { PoolsService } from './pools.service.js';

/** Pools are run by the operators; everyone may see them (never their connections). */
@ApiTags('pools')
@ApiBearerAuth()
@Controller('api/v1/pools')
export class PoolsController {
  constructor(private readonly pools: PoolsService) {}

  @Get()
  @Roles(...READERS)
  list() {
    return this.pools.list();
  }

  @Get(':id')
  @Roles(...READERS)
  get(@UuidParam('id') id: string) {
    return this.pools.get(id);
  }

  /** The reconciler's findings: for those who run the pools and those who check them. */
  @Get(':id/reconcile-events')
  @Roles('operator', 'auditor')
  reconcileEvents(@UuidParam('id') id: string, @Query() query: ReconcileEventsQuery) {
    return this.pools.reconcileEvents(id, query);
  }

  @Post()
  @Roles('operator')
  create(@Body() dto: CreatePoolDto) {
    return this.pools.create(dto);
  }

  @Patch(':id')
  @Roles('operator')
  update(@UuidParam('id') id: string, @Body() dto: UpdatePoolDto) {
    return this.pools.update(id, dto);
  }

  @Post(':id/capacity')
  @Roles('operator')
  @HttpCode(200)
  addCapacity(@UuidParam('id') id: string, @Body() dto: AddCapacityDto) {
    return this.pools.addCapacityNow(id, dto);
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  remove(@UuidParam('id') id: string) {
    return this.pools.remove(id);
  }
}
