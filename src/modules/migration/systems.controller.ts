import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Patch,
  Post,
  UploadedFile,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/dto.js';
import { ExportQuery, ImportQuery, SheetQuery } from '../../common/sheet.dto.js';
import { sheetFile } from '../../common/spreadsheet.js';
import { requireFile, SheetUpload, type UploadedSheetFile } from '../../common/upload.js';
import { InventoryImportService } from './inventory-import.service.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import {
  CreateSystemDto,
  ListInventoryQuery,
  OverrideStrategyDto,
  UpdateSystemDto,
} from './dto/system.dto.js';
import { LinkResourcesDto } from './dto/planning.dto.js';
import { TransitionDto } from './dto/transition.dto.js';
import { SystemsService } from './systems.service.js';
import { TransitionsService } from './transitions.service.js';

@ApiTags('migration')
@ApiBearerAuth()
@Controller('api/v1/systems')
export class SystemsController {
  constructor(
    private readonly systems: SystemsService,
    private readonly transitions: TransitionsService,
    private readonly sheets: InventoryImportService,
  ) {}

  @Get()
  @Roles(...READERS)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListInventoryQuery) {
    return this.systems.list(principal, query);
  }

  // Declared before ':id' so that these paths are not taken for ids.
  @Get('template')
  @Roles(...READERS)
  async template(@Query() query: SheetQuery) {
    const format = query.format ?? 'xlsx';
    return sheetFile(
      await this.sheets.template('systems', format, query.encoding),
      format,
      '信息系统模板-systems-template',
      query.encoding,
    );
  }

  @Get('export')
  @Roles(...READERS)
  async export(@CurrentPrincipal() principal: Principal, @Query() query: ExportQuery) {
    const format = query.format ?? 'xlsx';
    const buffer = await this.sheets.exportSystems(principal, format, query.encoding, query.departmentId);
    return sheetFile(buffer, format, '信息系统-systems', query.encoding);
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
    return this.sheets.importSystems(principal, requireFile(file), query.encoding);
  }

  @Get(':id')
  @Roles(...READERS)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.systems.get(principal, id);
  }

  @Post()
  @Roles('operator', 'dept-admin')
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateSystemDto) {
    return this.systems.create(principal, dto);
  }

  @Patch(':id')
  @Roles('operator', 'dept-admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateSystemDto,
  ) {
    return this.systems.update(principal, id, dto);
  }

  @Delete(':id')
  @Roles('operator', 'dept-admin')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.systems.remove(principal, id);
  }

  /** Moves the system one step in its life cycle (409 when the table does not allow it). */
  @Post(':id/transitions')
  @Roles('operator', 'dept-admin')
  @HttpCode(200)
  transition(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: TransitionDto,
  ) {
    return this.transitions.transition(principal, 'system', id, dto);
  }

  @Get(':id/transitions')
  @Roles(...READERS)
  history(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.transitions.history(principal, 'system', id);
  }

  @Put(':id/resources')
  @Roles('operator', 'dept-admin')
  linkResources(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: LinkResourcesDto,
  ) {
    return this.systems.linkResources(principal, id, dto.resourceIds);
  }

  @Put(':id/strategy')
  @Roles('operator')
  overrideStrategy(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: OverrideStrategyDto,
  ) {
    return this.systems.overrideStrategy(principal, id, dto);
  }
}
