import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, In, type EntityManager } from 'typeorm';
import {
  readSheet,
  unprocessable,
  writeSheet,
  type CsvEncoding,
  type ParsedRow,
  type SheetError,
  type SheetFormat,
} from '../../common/spreadsheet.js';
import { bulkInsert } from '../../database/bulk-insert.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { Host } from './entities/host.entity.js';
import { InformationSystem } from './entities/information-system.entity.js';
import { HOST_DEFAULTS } from './hosts.service.js';
import { HOST_COLUMNS, SYSTEM_COLUMNS } from './inventory-sheets.js';
import { scopeList } from './scoped.js';
import { assess, SYSTEM_DEFAULTS } from './systems.service.js';
import { TransitionsService } from './transitions.service.js';

export interface ImportResult {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

export interface UploadedSheet {
  buffer: Buffer;
  originalname?: string;
}

const CHUNK = 500;
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const keyOf = (departmentId: string, name: string) => `${departmentId}\u0000${name}`;

/**
 * Spreadsheet import and export of systems and hosts. An import is all-or-nothing: every row is
 * checked first and any error answers 422 with all of them; otherwise one transaction writes it.
 * Rows match existing ones on department + name (systems) or department + hostname (hosts), so
 * importing the same file again changes nothing.
 */
@Injectable()
export class InventoryImportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
    private readonly transitions: TransitionsService,
  ) {}

  template(kind: 'systems' | 'hosts', format: SheetFormat, encoding?: CsvEncoding): Promise<Buffer> {
    return kind === 'systems'
      ? writeSheet('信息系统 systems', SYSTEM_COLUMNS, [], format, encoding)
      : writeSheet('主机 hosts', HOST_COLUMNS, [], format, encoding);
  }

  async exportSystems(
    principal: Principal,
    format: SheetFormat,
    encoding?: CsvEncoding,
    departmentId?: string,
  ) {
    const qb = this.dataSource
      .getRepository(InformationSystem)
      .createQueryBuilder('s')
      .innerJoin('departments', 'd', 'd.id = s.department_id')
      .addSelect('d.code', 'department_code');
    await scopeList(qb, this.scope, principal, 's.department_id', departmentId);
    const { entities, raw } = await qb.orderBy('d.code').addOrderBy('s.name').getRawAndEntities();
    const rows = entities.map((s, i) =>
      Object.assign(s, { departmentCode: raw[i].department_code as string }),
    );
    return writeSheet('信息系统 systems', SYSTEM_COLUMNS, rows, format, encoding);
  }

  async exportHosts(
    principal: Principal,
    format: SheetFormat,
    encoding?: CsvEncoding,
    departmentId?: string,
  ) {
    const qb = this.dataSource
      .getRepository(Host)
      .createQueryBuilder('h')
      .innerJoin('departments', 'd', 'd.id = h.department_id')
      .addSelect('d.code', 'department_code')
      .addSelect(
        `(SELECT coalesce(array_agg(s.name ORDER BY s.name), '{}') FROM system_hosts sh JOIN information_systems s ON s.id = sh.system_id WHERE sh.host_id = h.id)`,
        'system_names',
      );
    await scopeList(qb, this.scope, principal, 'h.department_id', departmentId);
    const { entities, raw } = await qb.orderBy('d.code').addOrderBy('h.hostname').getRawAndEntities();
    const rows = entities.map((h, i) =>
      Object.assign(h, {
        departmentCode: raw[i].department_code as string,
        systemNames: raw[i].system_names as string[],
      }),
    );
    return writeSheet('主机 hosts', HOST_COLUMNS, rows, format, encoding);
  }

  async importSystems(
    principal: Principal,
    file: UploadedSheet,
    encoding?: CsvEncoding,
  ): Promise<ImportResult> {
    const { rows: parsed, errors } = await readSheet(file.buffer, SYSTEM_COLUMNS, encoding);
    return this.dataSource.transaction(async (manager) => {
      const departments = await this.departments(manager, principal, parsed, errors);
      const rows = dedupe(parsed, departments, 'name', errors);
      if (errors.length > 0) throw unprocessable(errors);

      const existing = await manager.getRepository(InformationSystem).findBy({
        departmentId: In([...new Set(rows.map((r) => r.departmentId))]),
      });
      const byKey = new Map(existing.map((s) => [keyOf(s.departmentId, s.name), s]));
      const created: InformationSystem[] = [];
      const updated: InformationSystem[] = [];
      for (const { departmentId, values } of rows) {
        const { departmentCode: _code, ...fields } = values;
        const before = byKey.get(keyOf(departmentId, String(fields.name)));
        if (!before) {
          created.push(
            assess({
              ...SYSTEM_DEFAULTS,
              ...fields,
              id: randomUUID(),
              departmentId,
              status: 'inventoried',
            } as unknown as InformationSystem),
          );
        } else if (
          Object.entries(fields).some(([key, value]) => !same(before[key as keyof InformationSystem], value))
        ) {
          updated.push(assess({ ...before, ...fields } as InformationSystem));
        }
      }
      const repo = manager.getRepository(InformationSystem);
      await bulkInsert(manager, repo.target, created);
      if (updated.length > 0) await repo.save(updated, { chunk: CHUNK });
      await this.transitions.recordMany(
        manager,
        created.map((s) => ({
          type: 'system',
          id: s.id,
          departmentId: s.departmentId,
          from: null,
          to: 'inventoried',
        })),
      );
      const result = {
        rows: rows.length,
        created: created.length,
        updated: updated.length,
        unchanged: rows.length - created.length - updated.length,
      };
      await this.recordImport(manager, 'system', file, result, created, updated);
      return result;
    });
  }

  async importHosts(
    principal: Principal,
    file: UploadedSheet,
    encoding?: CsvEncoding,
  ): Promise<ImportResult> {
    const { rows: parsed, errors } = await readSheet(file.buffer, HOST_COLUMNS, encoding);
    return this.dataSource.transaction(async (manager) => {
      const departments = await this.departments(manager, principal, parsed, errors);
      const rows = dedupe(parsed, departments, 'hostname', errors);
      const departmentIds = [...new Set(rows.map((r) => r.departmentId))];
      const systems = await manager.getRepository(InformationSystem).find({
        select: { id: true, name: true, departmentId: true },
        where: { departmentId: In(departmentIds) },
      });
      const systemId = new Map(systems.map((s) => [keyOf(s.departmentId, s.name), s.id]));
      const links = new Map<ParsedRow, string[]>();
      for (const r of rows) {
        const names = (r.values.systemNames as string[] | undefined) ?? [];
        const missing = names.filter((n) => !systemId.has(keyOf(r.departmentId, n)));
        if (missing.length > 0)
          errors.push({
            row: r.row,
            column: 'systemNames',
            message: `no system named ${missing.join(', ')} in department ${r.values.departmentCode}`,
          });
        else if (r.values.systemNames !== undefined)
          links.set(r, [...new Set(names.map((n) => systemId.get(keyOf(r.departmentId, n))!))].sort());
      }
      if (errors.length > 0) throw unprocessable(errors);

      const existing = await manager.getRepository(Host).findBy({ departmentId: In(departmentIds) });
      const byKey = new Map(existing.map((h) => [keyOf(h.departmentId, h.hostname), h]));
      const linked = new Map<string, string[]>();
      if (existing.length > 0) {
        const current: Array<{ host_id: string; ids: string[] }> = await manager.query(
          `SELECT host_id, array_agg(system_id::text ORDER BY system_id::text) AS ids FROM system_hosts WHERE host_id = ANY($1::uuid[]) GROUP BY host_id`,
          [existing.map((h) => h.id)],
        );
        for (const c of current) linked.set(c.host_id, c.ids);
      }
      const created: Host[] = [];
      const updated: Host[] = [];
      const relink: Array<[string, string[]]> = [];
      for (const r of rows) {
        const { departmentCode: _code, systemNames: _names, ...fields } = r.values;
        const before = byKey.get(keyOf(r.departmentId, String(fields.hostname)));
        const wanted = links.get(r);
        const host = before
          ? ({ ...before, ...fields } as Host)
          : ({
              ...HOST_DEFAULTS,
              ...fields,
              id: randomUUID(),
              departmentId: r.departmentId,
              status: 'inventoried',
            } as Host);
        const fieldsChanged =
          !before || Object.entries(fields).some(([k, v]) => !same(before[k as keyof Host], v));
        const linksChanged = wanted !== undefined && !same(wanted, linked.get(host.id) ?? []);
        if (!before) created.push(host);
        else if (fieldsChanged || linksChanged) updated.push(host);
        if (linksChanged) relink.push([host.id, wanted]);
      }
      const repo = manager.getRepository(Host);
      await bulkInsert(manager, repo.target, created);
      if (updated.length > 0) await repo.save(updated, { chunk: CHUNK });
      if (relink.length > 0) {
        await manager.query('DELETE FROM system_hosts WHERE host_id = ANY($1::uuid[])', [
          relink.map(([id]) => id),
        ]);
        const pairs = relink.flatMap(([hostId, ids]) => ids.map((id) => [hostId, id]));
        for (let i = 0; i < pairs.length; i += 5000) {
          const chunk = pairs.slice(i, i + 5000);
          await manager.query(
            'INSERT INTO system_hosts (host_id, system_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])',
            [chunk.map((p) => p[0]), chunk.map((p) => p[1])],
          );
        }
      }
      await this.transitions.recordMany(
        manager,
        created.map((h) => ({
          type: 'host',
          id: h.id,
          departmentId: h.departmentId,
          from: null,
          to: 'inventoried',
        })),
      );
      const result = {
        rows: rows.length,
        created: created.length,
        updated: updated.length,
        unchanged: rows.length - created.length - updated.length,
      };
      await this.recordImport(manager, 'host', file, result, created, updated);
      return result;
    });
  }

  /** Department codes of the file → ids, among the departments the caller may see (others are unknown). */
  private async departments(
    manager: EntityManager,
    principal: Principal,
    rows: ParsedRow[],
    errors: SheetError[],
  ): Promise<Map<string, string>> {
    const codes = [...new Set(rows.map((r) => String(r.values.departmentCode)))];
    // A row whose code cell already failed has its error; it is not reported twice.
    const prefix = await this.scope.pathPrefix(principal, manager);
    const found: Array<{ id: string; code: string }> = await manager.query(
      `SELECT id, code FROM departments WHERE code = ANY($1) AND ($2::text IS NULL OR path LIKE $2 || '%')`,
      [codes, prefix],
    );
    const byCode = new Map(found.map((d) => [d.code, d.id]));
    for (const r of rows)
      if (r.values.departmentCode !== undefined && !byCode.has(String(r.values.departmentCode)))
        errors.push({
          row: r.row,
          column: 'departmentCode',
          message: `no department with code ${r.values.departmentCode}`,
        });
    return byCode;
  }

  private async recordImport(
    manager: EntityManager,
    type: 'system' | 'host',
    file: UploadedSheet,
    result: ImportResult,
    created: Array<{ id: string }>,
    updated: Array<{ id: string }>,
  ): Promise<void> {
    const sha256 = createHash('sha256').update(file.buffer).digest('hex');
    await this.audit.record(manager, {
      action: `${type}.import`,
      targetType: `${type}-import`,
      targetId: sha256,
      after: {
        file: file.originalname ?? null,
        ...result,
        createdIds: created.map((c) => c.id),
        updatedIds: updated.map((u) => u.id),
      },
    });
  }
}

/** Rows with their department id; a second row for the same department + name is an error. */
function dedupe(
  rows: ParsedRow[],
  departments: Map<string, string>,
  nameKey: string,
  errors: SheetError[],
): Array<ParsedRow & { departmentId: string }> {
  const seen = new Map<string, number>();
  const out: Array<ParsedRow & { departmentId: string }> = [];
  for (const r of rows) {
    const departmentId = departments.get(String(r.values.departmentCode));
    if (!departmentId || r.values[nameKey] === undefined) continue;
    const key = keyOf(departmentId, String(r.values[nameKey]));
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ row: r.row, column: nameKey, message: `"${r.values[nameKey]}" repeats row ${first}` });
      continue;
    }
    seen.set(key, r.row);
    out.push({ ...r, departmentId });
  }
  return out;
}
