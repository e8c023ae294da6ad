import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import {
  CreateWaveDto,
  FillWaveDto,
  SuggestionQuery,
  UpdateWaveDto,
  WaveSystemsDto,
} from './dto/planning.dto.js';
import { WavesService } from './waves.service.js';

/** Migration waves (批次): operators plan them; everyone reads. */
@ApiTags('migration')
@ApiBearerAuth()
@Controller('api/v1/migration/waves')
export class WavesController {
  constructor(private readonly waves: WavesService) {}

  @Get()
  @Roles(...READERS)
  list() {
    return this.waves.list();
  }

  @Post()
  @Roles('operator')
  create(@Body() dto: CreateWaveDto) {
    return this.waves.create(dto);
  }

  @Patch(':id')
  @Roles('operator')
  update(@UuidParam('id') id: string, @Body() dto: UpdateWaveDto) {
    return this.waves.update(id, dto);
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  remove(@UuidParam('id') id: string) {
    return this.waves.remove(id);
  }

  /** Easy first: the lowest-scored systems not yet in a wave (a dept-admin sees its own). */
  @Get(':id/suggestion')
  @Roles(...READERS)
  suggestion(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: SuggestionQuery,
  ) {
    return this.waves.suggestion(principal, id, query);
  }

  @Post(':id/fill')
  @Roles('operator')
  @HttpCode(200)
  fill(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string, @Body() dto: FillWaveDto) {
    return this.waves.fill(principal, id, dto);
  }

  @Post(':id/systems')
  @Roles('operator')
  @HttpCode(200)
  add(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string, @Body() dto: WaveSystemsDto) {
    return this.waves.add(principal, id, dto.systemIds);
  }

  @Delete(':id/systems/:systemId')
  @Roles('operator')
  @HttpCode(204)
  removeSystem(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('systemId') systemId: string,
  ) {
    return this.waves.removeSystem(principal, id, systemId);
  }
}
