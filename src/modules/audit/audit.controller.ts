import { Body, Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { CurrentPrincipal, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditFilterDto, AuditQueryDto } from './dto/audit.dto.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
@Roles('operator', 'auditor')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  search(@Query() query: AuditQueryDto) {
    return this.audit.search(query);
  }

  /** Builds a CSV of the matching entries in a worker; poll the export, then download its content. */
  @Post('exports')
  @HttpCode(202)
  requestExport(@CurrentPrincipal() principal: Principal, @Body() filters: AuditFilterDto) {
    return this.audit.requestExport(principal, filters);
  }

  @Get('exports/:id')
  getExport(@UuidParam('id') id: string) {
    return this.audit.getExport(id);
  }

  @Get('exports/:id/content')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="audit.csv"')
  content(@UuidParam('id') id: string) {
    return this.audit.exportContent(id);
  }
}
