import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import ExcelJS from 'exceljs';
import { UuidParam } from '../../common/dto.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { BudgetsService } from './budgets.service.js';
import { BudgetReportQuery, SetBudgetDto, UsageReportQuery } from './dto/report.dto.js';
import { formatAmount } from './money.js';
import { UsageReportService, type UsageRow } from './usage-report.service.js';

const COLUMNS: Array<[keyof UsageRow, string]> = [
  ['month', '月份 month'],
  ['basis', '口径 basis'],
  ['code', '部门编码 department code'],
  ['name', '部门 department'],
  ['dimension', '计费项 dimension'],
  ['unit', '单位 unit'],
  ['quantity', '数量 quantity'],
  ['amount', '金额 amount (CNY)'],
];
const csvCell = (v: unknown) => {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const yearParam = () =>
  Param(
    'year',
    new ParseIntPipe({
      exceptionFactory: () =>
        new BadRequestException({ error: 'InvalidInput', message: 'year: must be a year like 2025' }),
    }),
  );

/** Finance reports: usage and cost per department and month (chargeback or showback), budgets and forecasts. */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1')
export class ReportsController {
  constructor(
    private readonly usage: UsageReportService,
    private readonly budgets: BudgetsService,
    private readonly scope: DepartmentScope,
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
    if ((q.format ?? 'json') === 'json') return report;
    const name = `usage-${q.from}-${q.to}`;
    if (q.format === 'csv') {
      const lines = report.rows.map((r) => COLUMNS.map(([f]) => csvCell(r[f])).join(','));
      const body = `\uFEFF${COLUMNS.map(([, h]) => h).join(',')}\n${lines.map((l) => `${l}\n`).join('')}`;
      return new StreamableFile(Buffer.from(body), {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="${name}.csv"`,
      });
    }
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('用量与费用 usage');
    sheet.addRow(COLUMNS.map(([, h]) => h));
    // Quantities and amounts stay text: exact decimals, never binary floats.
    for (const r of report.rows) sheet.addRow(COLUMNS.map(([f]) => r[f] ?? ''));
    const totals = book.addWorksheet('合计 totals');
    totals.addRow(['月份 month', '口径 basis', '金额 amount (CNY)']);
    for (const t of report.totals) totals.addRow([t.month, t.basis, t.amount]);
    return new StreamableFile(Buffer.from(await book.xlsx.writeBuffer()), {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      disposition: `attachment; filename="${name}.xlsx"`,
    });
  }

  @Get('reports/budgets')
  @Roles(...READERS)
  budgetReport(@CurrentPrincipal() principal: Principal, @Query() q: BudgetReportQuery) {
    return this.budgets.report(principal, q.year);
  }

  @Put('budgets/:departmentId/:year')
  @Roles('operator', 'finance')
  async setBudget(
    @UuidParam('departmentId') departmentId: string,
    @yearParam() year: number,
    @Body() dto: SetBudgetDto,
  ) {
    if (year < 2000 || year > 2100)
      throw new BadRequestException({
        error: 'InvalidInput',
        message: 'year: must be between 2000 and 2100',
      });
    await this.scope.visible(
      { userId: '', username: 'system', role: 'finance', departmentId: null },
      departmentId,
    );
    const budget = await this.budgets.set(departmentId, year, dto.amount);
    return { departmentId, year, amount: formatAmount(budget.amount), updatedAt: budget.updatedAt };
  }

  /** Meters the current month now and raises overspend alerts (the hourly job does the same). */
  @Post('budgets/check')
  @Roles('operator', 'finance')
  @HttpCode(200)
  check() {
    return this.budgets.check();
  }
}
