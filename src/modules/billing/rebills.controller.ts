import { Body, Controller, Get, HttpCode, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { UuidParam } from '../../common/dto.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { AppConfig } from '../../config/config.js';
import { cjkFont } from '../../common/cjk-font.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { ComputeRebillDto, DepartmentRebillQuery, RebillQuery } from './dto/rebill.dto.js';
import { rebillCsv, rebillPdf, rebillXlsx } from './rebill-export.js';
import { RebillExplainService } from './rebill-explain.service.js';
import { RebillQueryService } from './rebill-query.service.js';
import { RebillsService } from './rebills.service.js';
import type { RebillRun } from './entities/rebill.entity.js';

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;

/** A run as its reader sees it: total and line count are those of the lines the reader may see. */
const summary = (run: RebillRun, visible: { total: string; lineCount: number }) => ({
  id: run.id,
  period: run.period,
  state: run.state,
  computedUntil: run.computedUntil,
  computedAt: run.computedAt,
  finalizedAt: run.finalizedAt,
  lineCount: visible.lineCount,
  unpriced: run.unpriced,
  total: visible.total,
});
const whole = (run: RebillRun) => summary(run, { total: run.total.toFixed(2), lineCount: run.lineCount });

/** Finance and operators run and finalise; everyone reads, a dept-admin only its subtree. */
@ApiTags('rebills')
@ApiBearerAuth()
@Controller('api/v1/rebills')
export class RebillsController {
  constructor(
    private readonly rebills: RebillsService,
    private readonly query: RebillQueryService,
    private readonly explainer: RebillExplainService,
    private readonly scope: DepartmentScope,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @Roles('operator', 'finance')
  async compute(@Body() dto: ComputeRebillDto) {
    return whole(await this.rebills.compute(dto.period));
  }

  @Post(':id/finalize')
  @Roles('operator', 'finance')
  @HttpCode(200)
  async finalize(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return whole(await this.rebills.finalize(id, principal.userId));
  }

  @Get()
  @Roles(...READERS)
  list(@CurrentPrincipal() principal: Principal) {
    return this.query.list(principal);
  }

  /** json: run, department totals and subtree roll-ups, a page of lines; csv/xlsx/pdf: the whole run as a file. */
  @Get(':id')
  @Roles(...READERS)
  @ApiProduces('application/json', ...Object.values(CONTENT_TYPES))
  async get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string, @Query() q: RebillQuery) {
    const run = await this.query.run(id);
    const prefix = await this.query.visiblePrefix(principal);
    const visible = await this.query.visibleTotal(run, prefix);
    const departments = await this.query.departmentTotals(run, prefix);
    const format = q.format ?? 'json';
    if (format === 'json')
      return { ...summary(run, visible), departments, lines: await this.query.lines(run, { prefix }, q) };
    const input = { run, total: visible.total, departments, lines: this.query.allLines(run, prefix) };
    const file =
      format === 'csv'
        ? rebillCsv(input)
        : format === 'xlsx'
          ? rebillXlsx(input)
          : Readable.from([await rebillPdf(input, cjkFont(this.config))]);
    return new StreamableFile(file, {
      type: CONTENT_TYPES[format],
      disposition: `attachment; filename="rebill-${run.period}.${format}"`,
    });
  }

  @Get(':id/departments/:deptId')
  @Roles(...READERS)
  async department(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('deptId') deptId: string,
    @Query() q: DepartmentRebillQuery,
  ) {
    const run = await this.query.run(id);
    const department = await this.scope.visible(principal, deptId);
    const totals = await this.query.departmentTotals(run, department.path);
    const own = totals.find((t) => t.departmentId === deptId);
    return {
      rebill: summary(run, await this.query.visibleTotal(run, await this.query.visiblePrefix(principal))),
      department: { id: department.id, code: department.code, name: department.name },
      own: own?.own ?? '0.00',
      subtree: own?.subtree ?? '0.00',
      children: totals.filter((t) => t.parentId === deptId),
      lines: await this.query.lines(
        run,
        q.subtree === false ? { departmentId: deptId } : { prefix: department.path },
        q,
      ),
    };
  }

  @Get(':id/lines/:lineId')
  @Roles(...READERS)
  explain(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('lineId') lineId: string,
  ) {
    return this.explainer.explain(principal, id, lineId);
  }
}
