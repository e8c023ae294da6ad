import { Body, Controller, Delete, Get, HttpCode, Patch, Post, UploadedFile, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { ExportQuery, ImportQuery, SheetQuery } from '../../common/sheet.dto.js';
import { sheetFile } from '../../common/spreadsheet.js';
import { requireFile, SheetUpload, type UploadedSheetFile } from '../../common/upload.js';
import { InventoryImportService } from './inventory-import.service.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { CreateHostDto, UpdateHostDto } from './dto/host.dto.js';
import { ListInventoryQuery } from './dto/system.dto.js';
import { TransitionDto } from './dto/transition.dto.js';
import { HostsService } from './hosts.service.js';
import { TransitionsService } from './transitions.service.js';

@ApiTags('migration')
@ApiBearerAuth()
@Controller('api/v1/hosts')
export class HostsController {
  constructor(
    private readonly hosts: HostsService,
    private readonly transitions: TransitionsService,
    private readonly sheets: InventoryImportService,
  ) {}

  @Get()
  @Roles(...READERS)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListInventoryQuery) {
    return this.hosts.list(principal, query);
  }

  // Declared before ':id' so that these paths are not taken for ids.
  @Get('template')
  @Roles(...READERS)
  async template(@Query() query: SheetQuery) {
    const format = query.format ?? 'xlsx';
    return sheetFile(
      await this.sheets.template('hosts', format, query.encoding),
      format,
      '主机模板-hosts-template',
      query.encoding,
    );
  }

  @Get('export')
  @Roles(...READERS)
  async export(@CurrentPrincipal() principal: Principal, @Query() query: ExportQuery) {
    const format = query.format ?? 'xlsx';
    const buffer = await this.sheets.exportHosts(principal, format, query.encoding, query.departmentId);
    return sheetFile(buffer, format, '主机-hosts', query.encoding);
  }

  /** All-or-nothing: any bad row answers 422 with every error as {row, column, message}. */
  @Post('import')
  @Roles('operator', 'dept-admin')
  @HttpCode(200)
  @SheetUpload()
  import(
    @CurrentPrincipal() principal: Principal,
    @UploadedFile() file: UploadedSheetFile | undefined,
    @Query() query: ImportQuery,
  ) {
    return this.sheets.importHosts(principal, requireFile(file), query.encoding);
  }

  @Get(':id')
  @Roles(...READERS)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.hosts.get(principal, id);
  }

  @Post()
  @Roles('operator', 'dept-admin')
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateHostDto) {
    return this.hosts.create(principal, dto);
  }

  @Patch(':id')
  @Roles('operator', 'dept-admin')
  update(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string, @Body() dto: UpdateHostDto) {
    return this.hosts.update(principal, id, dto);
  }

  @Delete(':id')
  @Roles('operator', 'dept-admin')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.hosts.remove(principal, id);
  }

  @Post(':id/transitions')
  @Roles('operator', 'dept-admin')
  @HttpCode(200)
  transition(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: TransitionDto,
  ) {
    return this.transitions.transition(principal, 'host', id, dto);
  }

  @Get(':id/transitions')
  @Roles(...READERS)
  history(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.transitions.history(principal, 'host', id);
  }
}
