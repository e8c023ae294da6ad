import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { UuidParam } from '../../common/dto.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentsService } from './departments.service.js';
import {
  CreateDepartmentDto,
  ListDepartmentsQuery,
  MoveDepartmentDto,
  UpdateDepartmentDto,
} from './dto/department.dto.js';

@ApiTags('departments')
@ApiBearerAuth()
@Controller('api/v1/departments')
export class DepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @Get()
  @Roles(...READERS)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListDepartmentsQuery) {
    return this.departments.list(principal, query);
  }

  @Get(':id')
  @Roles(...READERS)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.departments.get(principal, id);
  }

  @Post()
  @Roles('operator')
  create(@Body() dto: CreateDepartmentDto) {
    return this.departments.create(dto);
  }

  @Patch(':id')
  @Roles('operator')
  update(@UuidParam('id') id: string, @Body() dto: UpdateDepartmentDto) {
    return this.departments.update(id, dto);
  }

  @Post(':id/move')
  @Roles('operator')
  @HttpCode(200)
  move(@UuidParam('id') id: string, @Body() dto: MoveDepartmentDto) {
    return this.departments.move(id, dto);
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  remove(@UuidParam('id') id: string) {
    return this.departments.remove(id);
  }
}
