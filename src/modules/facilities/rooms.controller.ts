import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, UploadedFile } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { BooleanQuery, UuidParam } from '../../common/dto.js';
import { ExportQuery, ImportQuery, SheetQuery } from '../../common/sheet.dto.js';
import { sheetFile } from '../../common/spreadsheet.js';
import { requireFile, SheetUpload, type UploadedSheetFile } from '../../common/upload.js';
import { RoomImportService } from './room-import.service.js';
import { CurrentPrincipal, READERS, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ListInventoryQuery } from '../migration/dto/system.dto.js';
import {
  CloseRoomDto,
  CreateLeaseDto,
  CreateRoomDto,
  RoomTransitionDto,
  UpdateLeaseDto,
  UpdateRoomDto,
} from './dto/room.dto.js';
import { RoomClosureService } from './room-closure.service.js';
import { RoomsService } from './rooms.service.js';

class ListRoomsQuery extends ListInventoryQuery {
  @ApiPropertyOptional({ description: 'only closure candidates (true) or only the others (false)' })
  @IsOptional()
  @BooleanQuery()
  @IsBoolean()
  candidate?: boolean;
}

@ApiTags('facilities')
@ApiBearerAuth()
@Controller('api/v1/server-rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly closure: RoomClosureService,
    private readonly sheets: RoomImportService,
  ) {}

  @Get()
  @Roles(...READERS)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListRoomsQuery) {
    return this.rooms.list(principal, query);
  }

  // Declared before ':id' so that these paths are not taken for ids.
  @Get('template')
  @Roles(...READERS)
  async template(@Query() query: SheetQuery) {
    const format = query.format ?? 'xlsx';
    return sheetFile(
      await this.sheets.template(format, query.encoding),
      format,
      '机房模板-server-rooms-template',
      query.encoding,
    );
  }

  @Get('export')
  @Roles(...READERS)
  async export(@CurrentPrincipal() principal: Principal, @Query() query: ExportQuery) {
    const format = query.format ?? 'xlsx';
    const buffer = await this.sheets.export(principal, format, query.encoding, query.departmentId);
    return sheetFile(buffer, format, '机房-server-rooms', query.encoding);
  }

  /** All-or-nothing, like systems: any bad row answers 422 with every error. */
  @Post('import')
  @Roles('operator', 'dept-admin')
  @HttpCode(200)
  @SheetUpload()
  import(
    @CurrentPrincipal() principal: Principal,
    @UploadedFile() file: UploadedSheetFile | undefined,
    @Query() query: ImportQuery,
  ) {
    return this.sheets.import(principal, requireFile(file), query.encoding);
  }

  @Get(':id')
  @Roles(...READERS)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.rooms.get(principal, id);
  }

  @Post()
  @Roles('operator', 'dept-admin')
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateRoomDto) {
    return this.rooms.create(principal, dto);
  }

  @Patch(':id')
  @Roles('operator', 'dept-admin')
  update(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string, @Body() dto: UpdateRoomDto) {
    return this.rooms.update(principal, id, dto);
  }

  @Delete(':id')
  @Roles('operator', 'dept-admin')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.rooms.remove(principal, id);
  }

  /** closure-planned, closing, retained or back to active: operators decide (409 outside the table). */
  @Post(':id/transitions')
  @Roles('operator')
  @HttpCode(200)
  transition(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: RoomTransitionDto,
  ) {
    return this.rooms.transition(principal, id, dto);
  }

  /** 409 listing every blocking host and system unless all have moved; records the equipment. */
  @Post(':id/close')
  @Roles('operator')
  @HttpCode(200)
  close(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string, @Body() dto: CloseRoomDto) {
    return this.closure.close(principal, id, dto);
  }

  @Get(':id/leases')
  @Roles(...READERS)
  leases(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.rooms.leases(principal, id);
  }

  @Post(':id/leases')
  @Roles('operator', 'dept-admin')
  addLease(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: CreateLeaseDto,
  ) {
    return this.rooms.addLease(principal, id, dto);
  }

  @Patch(':id/leases/:leaseId')
  @Roles('operator', 'dept-admin')
  updateLease(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('leaseId') leaseId: string,
    @Body() dto: UpdateLeaseDto,
  ) {
    return this.rooms.updateLease(principal, id, leaseId, dto);
  }

  @Delete(':id/leases/:leaseId')
  @Roles('operator', 'dept-admin')
  @HttpCode(204)
  removeLease(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('leaseId') leaseId: string,
  ) {
    return this.rooms.removeLease(principal, id, leaseId);
  }
}
