import { Body, Controller, Get, HttpCode, Post, Put, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { sheetFile, writeSheet } from '../../common/spreadsheet.js';
import { UuidParam } from '../../common/dto.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { BudgetsService } from './budgets.service.js';
import { AppConfig } from '../../config/config.js';
import { cjkFont } from '../../common/cjk-font.js';
import { todayInChina } from '../facilities/room-status.js';
import { BudgetReportQuery, FiscalEffectQuery, SetBudgetDto, UsageReportQuery } from './dto/report.dto.js';
import { fiscalEffectPdf, fiscalEffectSheet } from './fiscal-effect-export.js';
import { FiscalEffectService } from './fiscal-effect.service.js';
import { formatAmount } from './money.js';
import { UsageReportService } from './usage-report.service.js';
import type { UsageRow } from './views.js';

/** The usage report as a sheet: Chinese headers, then the English keys (src/common/spreadsheet.ts). */
const COLUMNS = (
  [
    ['month', '月份'],
    ['basis', '口径 (chargeback 分摊 / showback 展示)'],
    ['code', '部门编码'],
    ['name', '部门'],
    ['dimension', '计费项'],
    ['unit', '单位'],
    ['quantity', '数量'],
    ['amount', '金额 (元)'],
  ] as Array<[keyof UsageRow, string]>
).map(([key, header]) => ({ key, header, format: (row: UsageRow) => row[key] }));

/** Finance reports: usage and cost per department and month (chargeback or showback), budgets and forecasts. */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1')
export class ReportsController {
  constructor(
    private readonly usage: UsageReportService,
    private readonly budgets: BudgetsService,
    private readonly scope: DepartmentScope,
    private readonly fiscal: FiscalEffectService,
    private readonly config: AppConfig,
  ) {}

  @Get('reports/usage')
  @Roles(...READERS)
  @ApiProduces(
    'application/json',
    'text/csv',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  )
  async usageReport(@CurrentPrincipal() principal: Principal, @Query() q: UsageReportQuery) {
    const report = await this.usage.usage(principal, q);
    const format = q.format ?? 'json';
    if (format === 'json') return report;
    // Quantities and amounts stay text: exact decimals, never binary floats.
    const sheet = await writeSheet('用量与费用 usage', COLUMNS, report.rows, format);
    return sheetFile(sheet, format, `usage-${q.from}-${q.to}`);
  }

  /** 净财政效果: cloud rebill against the O&M budget of the server rooms, per department, for a fiscal year. */
  @Get('reports/fiscal-effect')
  @Roles(...READERS)
  @ApiProduces(
    'application/json',
    'text/csv',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/pdf',
  )
  async fiscalEffect(@CurrentPrincipal() principal: Principal, @Query() q: FiscalEffectQuery) {
    const year = q.year ?? Number(todayInChina().slice(0, 4));
    const report = await this.fiscal.report(principal, year, q.departmentId);
    const format = q.format ?? 'json';
    if (format === 'json') return report;
    if (format === 'pdf')
      return new StreamableFile(await fiscalEffectPdf(report, cjkFont(this.config)), {
        type: 'application/pdf',
        disposition: `attachment; filename="fiscal-effect-${year}.pdf"`,
      });
    return sheetFile(await fiscalEffectSheet(report, format), format, `财政效果-fiscal-effect-${year}`);
  }

  @Get('reports/budgets')
  @Roles(...READERS)
  budgetReport(@CurrentPrincipal() principal: Principal, @Query() q: BudgetReportQuery) {
    return this.budgets.report(principal, q.year);
  }

  @Put('budgets/:departmentId')
  @Roles('operator', 'finance')
  async setBudget(@UuidParam('departmentId') departmentId: string, @Body() dto: SetBudgetDto) {
    await this.scope.visible(
      { userId: '', username: 'system', role: 'finance', departmentId: null },
      departmentId,
    );
    const budget = await this.budgets.set(departmentId, dto.year, dto.amount);
    return { departmentId, year: dto.year, amount: formatAmount(budget.amount), updatedAt: budget.updatedAt };
  }

  /** Meters the current month now and raises overspend alerts (the hourly job does the same). */
  @Post('budgets/check')
  @Roles('operator', 'finance')
  @HttpCode(200)
  check() {
    return this.budgets.check();
  }
}
