import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, In, type EntityManager } from 'typeorm';
import {
  readSheet,
  unprocessable,
  writeSheet,
  type CsvEncoding,
  type ParsedRow,
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
import {
  diffRows,
  keyOf,
  recordImport,
  rowsByDepartment,
  sameValue,
  type ImportResult,
  type UploadedSheet,
} from './sheet-import.js';
import { classificationRefusal } from './status-machine.js';
import { TransitionsService } from './transitions.service.js';

const CHUNK = 500;

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
      const rows = await rowsByDepartment(manager, this.scope, principal, parsed, 'name', errors);
      if (errors.length > 0) throw unprocessable(errors);

      const existing = await manager.getRepository(InformationSystem).findBy({
        departmentId: In([...new Set(rows.map((r) => r.departmentId))]),
      });
      const { created, updated } = diffRows(rows, existing, 'name', (departmentId, fields, before) =>
        assess(
          before
            ? ({ ...before, ...fields } as InformationSystem)
            : ({
                ...SYSTEM_DEFAULTS,
                ...fields,
                id: randomUUID(),
                departmentId,
                status: 'inventoried',
              } as unknown as InformationSystem),
        ),
      );
      const refused = new Map(
        updated.flatMap((s) => {
          const refusal = classificationRefusal(s.status, s.classification);
          return refusal ? [[keyOf(s.departmentId, s.name), refusal] as const] : [];
        }),
      );
      for (const { row, departmentId, values } of rows) {
        const refusal = refused.get(keyOf(departmentId, String(values.name)));
        if (refusal) errors.push({ row, column: 'classification', message: refusal });
      }
      if (errors.length > 0) throw unprocessable(errors);
      return this.write(manager, 'system', file, rows.length, created, updated);
    });
  }

  async importHosts(
    principal: Principal,
    file: UploadedSheet,
    encoding?: CsvEncoding,
  ): Promise<ImportResult> {
    const { rows: parsed, errors } = await readSheet(file.buffer, HOST_COLUMNS, encoding);
    return this.dataSource.transaction(async (manager) => {
      const rows = await rowsByDepartment(manager, this.scope, principal, parsed, 'hostname', errors);
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
          !before || Object.entries(fields).some(([k, v]) => !sameValue(before[k as keyof Host], v));
        const linksChanged = wanted !== undefined && !sameValue(wanted, linked.get(host.id) ?? []);
        if (!before) created.push(host);
        else if (fieldsChanged || linksChanged) updated.push(host);
        if (linksChanged) relink.push([host.id, wanted]);
      }
      const result = await this.write(manager, 'host', file, rows.length, created, updated);
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
      return result;
    });
  }

  /** Writes the new and changed rows, their first status, and one audit entry for the whole file. */
  private async write<T extends InformationSystem | Host>(
    manager: EntityManager,
    type: 'system' | 'host',
    file: UploadedSheet,
    rowCount: number,
    created: T[],
    updated: T[],
  ): Promise<ImportResult> {
    const repo = manager.getRepository<InformationSystem | Host>(
      type === 'system' ? InformationSystem : Host,
    );
    await bulkInsert(manager, repo.target, created);
    if (updated.length > 0) await repo.save(updated, { chunk: CHUNK });
    await this.transitions.recordMany(
      manager,
      created.map((c) => ({ type, id: c.id, departmentId: c.departmentId, from: null, to: 'inventoried' })),
    );
    return recordImport(this.audit, manager, type, file, rowCount, created, updated);
  }
}
