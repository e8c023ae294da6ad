import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { sheetFile } from '../../common/spreadsheet.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { RoomReportQuery } from './dto/room.dto.js';
import { RoomReportService } from './room-report.service.js';
import { todayInChina } from './room-status.js';

@ApiTags('facilities')
@ApiBearerAuth()
@Controller('api/v1/reports/server-rooms')
export class RoomReportsController {
  constructor(private readonly reports: RoomReportService) {}

  /** 机房关停报告 for a fiscal year: json, csv, xlsx, or pdf (with an embedded CJK font). */
  @Get()
  @Roles(...READERS)
  async report(@CurrentPrincipal() principal: Principal, @Query() query: RoomReportQuery) {
    const year = query.year ?? Number(todayInChina().slice(0, 4));
    const format = query.format ?? 'json';
    if (format === 'json') return this.reports.report(principal, year, query.departmentId);
    if (format === 'pdf')
      return new StreamableFile(await this.reports.pdf(principal, year, query.departmentId), {
        type: 'application/pdf',
        disposition: `attachment; filename="server-rooms-${year}.pdf"`,
      });
    return sheetFile(
      await this.reports.sheet(principal, year, format, query.departmentId),
      format,
      `机房关停-server-rooms-${year}`,
    );
  }
}
