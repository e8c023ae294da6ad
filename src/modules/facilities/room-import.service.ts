import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import {
  readSheet,
  unprocessable,
  writeSheet,
  type CsvEncoding,
  type SheetFormat,
} from '../../common/spreadsheet.js';
import { bulkInsert } from '../../database/bulk-insert.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import {
  diffRows,
  keyOf,
  recordImport,
  rowsByDepartment,
  type ImportResult,
  type UploadedSheet,
} from '../migration/sheet-import.js';
import { scopeList } from '../migration/scoped.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { ServerRoom } from './entities/server-room.entity.js';
import { ROOM_COLUMNS } from './room-sheets.js';

/** Server rooms as spreadsheets, like systems: all-or-nothing, matched on department code + room name. */
@Injectable()
export class RoomImportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
  ) {}

  template(format: SheetFormat, encoding?: CsvEncoding): Promise<Buffer> {
    return writeSheet('机房 server rooms', ROOM_COLUMNS, [], format, encoding);
  }

  async export(principal: Principal, format: SheetFormat, encoding?: CsvEncoding, departmentId?: string) {
    const qb = this.dataSource
      .getRepository(ServerRoom)
      .createQueryBuilder('r')
      .innerJoin('departments', 'd', 'd.id = r.department_id')
      .addSelect('d.code', 'department_code');
    await scopeList(qb, this.scope, principal, 'r.department_id', departmentId);
    const { entities, raw } = await qb.orderBy('d.code').addOrderBy('r.name').getRawAndEntities();
    const rows = entities.map((r, i) =>
      Object.assign(r, { departmentCode: raw[i].department_code as string }),
    );
    return writeSheet('机房 server rooms', ROOM_COLUMNS, rows, format, encoding);
  }

  async import(principal: Principal, file: UploadedSheet, encoding?: CsvEncoding): Promise<ImportResult> {
    const { rows, errors } = await readSheet(file.buffer, ROOM_COLUMNS, encoding);
    return this.dataSource.transaction(async (manager) => {
      const valid = await rowsByDepartment(manager, this.scope, principal, rows, 'name', errors);
      if (errors.length > 0) throw unprocessable(errors);
      const existing = await manager
        .getRepository(ServerRoom)
        .findBy({ departmentId: In([...new Set(valid.map((v) => v.departmentId))]) });
      const { created, updated } = diffRows(valid, existing, 'name', (departmentId, fields, before) =>
        before
          ? ({ ...before, ...fields } as ServerRoom)
          : ({ ...fields, id: randomUUID(), departmentId, status: 'active' } as unknown as ServerRoom),
      );
      // A closed room's figures are what finance's stopped budget was worked out from: they stay.
      const closed = new Set(
        updated.filter((r) => r.status === 'closed').map((r) => keyOf(r.departmentId, r.name)),
      );
      for (const { row, departmentId, values } of valid)
        if (closed.has(keyOf(departmentId, String(values.name))))
          errors.push({
            row,
            column: 'name',
            message: `server room ${String(values.name)} is closed; its figures stay`,
          });
      if (errors.length > 0) throw unprocessable(errors);
      await bulkInsert(manager, ServerRoom, created);
      if (updated.length > 0) await manager.getRepository(ServerRoom).save(updated, { chunk: 500 });
      return recordImport(this.audit, manager, 'server-room', file, valid.length, created, updated);
    });
  }
}
