import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { sheetFile } from '../../common/spreadsheet.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { BurnupQuery, CreateTargetDto, MigrationReportQuery } from './dto/report.dto.js';
import { MigrationReportService } from './migration-report.service.js';

@ApiTags('migration')
@ApiBearerAuth()
@Controller()
export class MigrationReportsController {
  constructor(private readonly reports: MigrationReportService) {}

  /** 迁移统计表: one row per department rolled up the tree, as it was on asOf; json, csv or xlsx. */
  @Get('api/v1/reports/migration')
  @Roles(...READERS)
  async report(@CurrentPrincipal() principal: Principal, @Query() query: MigrationReportQuery) {
    const format = query.format ?? 'json';
    if (format === 'json') return this.reports.report(principal, query.asOf, query.departmentId);
    const buffer = await this.reports.reportFile(principal, format, query.asOf, query.departmentId);
    return sheetFile(buffer, format, `迁移统计-migration-${query.asOf ?? 'today'}`);
  }

  /** Weekly burn-up of migrated systems, for the console's chart. */
  @Get('api/v1/reports/migration/burnup')
  @Roles(...READERS)
  burnup(@CurrentPrincipal() principal: Principal, @Query() query: BurnupQuery) {
    return this.reports.burnup(principal, query);
  }

  @Get('api/v1/migration/targets')
  @Roles(...READERS)
  targets() {
    return this.reports.listTargets();
  }

  @Post('api/v1/migration/targets')
  @Roles('operator')
  createTarget(@Body() dto: CreateTargetDto) {
    return this.reports.createTarget(dto);
  }

  @Delete('api/v1/migration/targets/:id')
  @Roles('operator')
  @HttpCode(204)
  removeTarget(@UuidParam('id') id: string) {
    return this.reports.removeTarget(id);
  }
}
