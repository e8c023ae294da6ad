import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import {
  readSheet,
  unprocessable,
  writeSheet,
  type CsvEncoding,
  type SheetError,
  type SheetFormat,
} from '../../common/spreadsheet.js';
import { bulkInsert } from '../../database/bulk-insert.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import type { ImportResult, UploadedSheet } from '../migration/inventory-import.service.js';
import { scopeList } from '../migration/scoped.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { ServerRoom } from './entities/server-room.entity.js';
import { ROOM_COLUMNS } from './room-sheets.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

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
      const codes = [...new Set(rows.map((r) => String(r.values.departmentCode)))];
      const prefix = await this.scope.pathPrefix(principal, manager);
      const found: Array<{ id: string; code: string }> = await manager.query(
        `SELECT id, code FROM departments WHERE code = ANY($1) AND ($2::text IS NULL OR path LIKE $2 || '%')`,
        [codes, prefix],
      );
      const byCode = new Map(found.map((d) => [d.code, d.id]));
      const seen = new Map<string, number>();
      const valid: Array<{ row: number; departmentId: string; values: Record<string, unknown> }> = [];
      for (const r of rows) {
        const departmentId = byCode.get(String(r.values.departmentCode));
        if (r.values.departmentCode !== undefined && !departmentId) {
          errors.push({
            row: r.row,
            column: 'departmentCode',
            message: `no department with code ${r.values.departmentCode}`,
          });
          continue;
        }
        if (!departmentId || r.values.name === undefined) continue;
        const key = `${departmentId}\u0000${r.values.name}`;
        if (seen.has(key)) {
          errors.push({
            row: r.row,
            column: 'name',
            message: `"${r.values.name}" repeats row ${seen.get(key)}`,
          } as SheetError);
          continue;
        }
        seen.set(key, r.row);
        valid.push({ row: r.row, departmentId, values: r.values });
      }
      if (errors.length > 0) throw unprocessable(errors);
      const existing = await manager
        .getRepository(ServerRoom)
        .findBy({ departmentId: In([...new Set(valid.map((v) => v.departmentId))]) });
      const byKey = new Map(existing.map((r) => [`${r.departmentId}\u0000${r.name}`, r]));
      const created: ServerRoom[] = [];
      const updated: ServerRoom[] = [];
      for (const { departmentId, values } of valid) {
        const { departmentCode: _code, ...fields } = values;
        const before = byKey.get(`${departmentId}\u0000${fields.name}`);
        if (!before)
          created.push({
            ...fields,
            id: randomUUID(),
            departmentId,
            status: 'active',
          } as unknown as ServerRoom);
        else if (Object.entries(fields).some(([k, v]) => !same(before[k as keyof ServerRoom], v)))
          updated.push({ ...before, ...fields } as ServerRoom);
      }
      await bulkInsert(manager, ServerRoom, created);
      if (updated.length > 0) await manager.getRepository(ServerRoom).save(updated, { chunk: 500 });
      const result = {
        rows: valid.length,
        created: created.length,
        updated: updated.length,
        unchanged: valid.length - created.length - updated.length,
      };
      await this.audit.record(manager, {
        action: 'server-room.import',
        targetType: 'server-room-import',
        targetId: createHash('sha256').update(file.buffer).digest('hex'),
        after: {
          file: file.originalname ?? null,
          ...result,
          createdIds: created.map((c) => c.id),
          updatedIds: updated.map((u) => u.id),
        },
      });
      return result;
    });
  }
}
