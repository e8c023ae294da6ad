import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { READERS, Roles } from '../auth/decorators.js';
import { CreateRateCardDto, ListRateCardsQuery, UpdateRateCardDto } from './dto/rate-card.dto.js';
import { RateCardsService } from './rate-cards.service.js';

/** Tender prices are public within the city: everyone reads them; operators and finance manage them. */
@ApiTags('rate-cards')
@ApiBearerAuth()
@Controller('api/v1/rate-cards')
export class RateCardsController {
  constructor(private readonly cards: RateCardsService) {}

  @Get()
  @Roles(...READERS)
  list(@Query() query: ListRateCardsQuery) {
    return this.cards.list(query);
  }

  @Get(':id')
  @Roles(...READERS)
  get(@UuidParam('id') id: string) {
    return this.cards.get(id);
  }

  @Post()
  @Roles('operator', 'finance')
  create(@Body() dto: CreateRateCardDto) {
    return this.cards.create(dto);
  }

  @Patch(':id')
  @Roles('operator', 'finance')
  update(@UuidParam('id') id: string, @Body() dto: UpdateRateCardDto) {
    return this.cards.update(id, dto);
  }

  @Delete(':id')
  @Roles('operator', 'finance')
  @HttpCode(204)
  remove(@UuidParam('id') id: string) {
    return this.cards.remove(id);
  }
}
