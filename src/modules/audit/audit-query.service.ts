import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { DomainError, ErrorCode, notFound } from '../../common/errors.js';
import { csvField } from '../../common/spreadsheet.js';
import type { Principal } from '../auth/principal.js';
import { OutboxService } from '../jobs/outbox.service.js';
import { JobName } from '../jobs/job-catalogue.js';
import { OnJob } from '../jobs/on-job.decorator.js';
import { AuditService } from './audit.service.js';
import type { AuditFilterDto, AuditQueryDto } from './dto/audit.dto.js';
import { AuditEntry } from './entities/audit-entry.entity.js';
import { AuditExport } from './entities/audit-export.entity.js';

const CSV_COLUMNS = [
  'id',
  'at',
  'actorName',
  'role',
  'action',
  'targetType',
  'targetId',
  'departmentId',
  'requestId',
  'before',
  'after',
] as const;
const CSV_HEADER =
  '编号 id,时间 at,操作人 actor,角色 role,操作 action,对象类型 target type,对象 target id,部门 department,请求 request id,变更前 before,变更后 after';

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : value instanceof Date
        ? value.toISOString()
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  return csvField(text);
}

@Injectable()
export class AuditQueryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  async search(query: AuditQueryDto): Promise<{ items: AuditEntry[]; total: number }> {
    const qb = this.filtered(query)
      .orderBy('a.id', 'DESC')
      .take(query.limit ?? 100)
      .skip(query.offset ?? 0);
    const [items, total] = await qb.getManyAndCount();
    return { items, total };
  }

  async requestExport(principal: Principal, filters: AuditFilterDto): Promise<AuditExport> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(AuditExport)
        .save({ requestedBy: principal.userId, filters: { ...filters } });
      await this.outbox.enqueue(manager, JobName.AuditExport, { exportId: row.id });
      await this.audit.record(manager, {
        action: 'audit-export.request',
        targetType: 'audit-export',
        targetId: row.id,
        after: row,
      });
      return row;
    });
  }

  async getExport(id: string): Promise<AuditExport> {
    const row = await this.dataSource.getRepository(AuditExport).findOneBy({ id });
    if (!row) throw notFound('audit export', id);
    return row;
  }

  async exportContent(id: string): Promise<string> {
    const row = await this.dataSource
      .getRepository(AuditExport)
      .createQueryBuilder('e')
      .addSelect('e.content')
      .where('e.id = :id', { id })
      .getOne();
    if (!row) throw notFound('audit export', id);
    if (row.state !== 'done')
      throw new DomainError(ErrorCode.Conflict, `audit export ${id} is ${row.state}, not done`);
    return row.content ?? '';
  }

  /** Idempotent: an export already built is left alone, so a redelivered job does nothing. */
  @OnJob(JobName.AuditExport)
  async buildExport({ exportId }: { exportId: string }): Promise<'success' | 'skipped'> {
    const repo = this.dataSource.getRepository(AuditExport);
    const row = await repo.findOneBy({ id: exportId });
    if (!row || row.state === 'done') return 'skipped';
    const entries = await this.filtered(row.filters).orderBy('a.id', 'ASC').getMany();
    const lines = entries.map((entry) => CSV_COLUMNS.map((column) => csvCell(entry[column])).join(','));
    const content = `\uFEFF${CSV_HEADER}\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
    await repo.update(
      { id: exportId },
      { state: 'done', content, rowCount: entries.length, finishedAt: new Date() },
    );
    return 'success';
  }

  private filtered(filter: AuditFilterDto): SelectQueryBuilder<AuditEntry> {
    const qb = this.dataSource.getRepository(AuditEntry).createQueryBuilder('a');
    if (filter.actorId) qb.andWhere('a.actor_id = :actorId', { actorId: filter.actorId });
    if (filter.actorName) qb.andWhere('a.actor_name = :actorName', { actorName: filter.actorName });
    if (filter.action?.endsWith('.'))
      qb.andWhere(`starts_with(a.action, :action)`, { action: filter.action });
    else if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.targetType) qb.andWhere('a.target_type = :targetType', { targetType: filter.targetType });
    if (filter.targetId) qb.andWhere('a.target_id = :targetId', { targetId: filter.targetId });
    if (filter.departmentId) {
      qb.andWhere(
        `a.department_id IN (SELECT id FROM departments WHERE path LIKE '%/' || :departmentId || '/%')`,
        {
          departmentId: filter.departmentId,
        },
      );
    }
    if (filter.from) qb.andWhere('a.at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.at < :to', { to: filter.to });
    return qb;
  }
}
