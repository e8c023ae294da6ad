import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { requestContext } from '../../common/request-context.js';
import { bulkInsert } from '../../database/bulk-insert.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import type { TransitionDto } from './dto/transition.dto.js';
import { Host } from './entities/host.entity.js';
import { InformationSystem } from './entities/information-system.entity.js';
import { MigrationTransition, type SubjectType } from './entities/migration-transition.entity.js';
import { loadScoped } from './scoped.js';
import { checkTransition, type MigrationStatus } from './status-machine.js';

const ENTITY = { system: InformationSystem, host: Host } as const;

export interface Subject {
  type: SubjectType;
  id: string;
  departmentId: string;
}

/** Moves systems and hosts through their life cycle; every move leaves a history row and an audit entry. */
@Injectable()
export class TransitionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
  ) {}

  /** Rows for many subjects at once (creation, import); the actor comes from the request. */
  async recordMany(
    manager: EntityManager,
    rows: Array<Subject & { from: MigrationStatus | null; to: MigrationStatus; note?: string | null }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    const principal = requestContext.get()?.principal;
    const values = rows.map((r) => ({
      subjectType: r.type,
      subjectId: r.id,
      departmentId: r.departmentId,
      fromStatus: r.from,
      toStatus: r.to,
      note: r.note ?? null,
      actorId: principal?.userId ?? null,
      actorName: principal?.username ?? 'system',
    }));
    await bulkInsert(manager, MigrationTransition, values);
  }

  async transition(
    principal: Principal,
    type: SubjectType,
    id: string,
    dto: TransitionDto,
  ): Promise<InformationSystem | Host> {
    return this.dataSource.transaction(async (manager) => {
      const entity = ENTITY[type];
      const row = await loadScoped<InformationSystem | Host>(
        manager,
        this.scope,
        principal,
        entity,
        type,
        id,
        true,
      );
      const before = { status: row.status, blockedFrom: row.blockedFrom, archiveRef: row.archiveRef };
      checkTransition(
        {
          status: row.status,
          blockedFrom: row.blockedFrom,
          classification: row instanceof InformationSystem ? row.classification : undefined,
        },
        dto,
      );
      const after = {
        status: dto.to,
        blockedFrom: dto.to === 'blocked' ? row.status : null,
        archiveRef: dto.to === 'archived' ? dto.archiveRef!.trim() : row.archiveRef,
      };
      await manager.getRepository(entity).update({ id }, after);
      const principalNow = requestContext.get()?.principal ?? principal;
      await manager.getRepository(MigrationTransition).insert({
        subjectType: type,
        subjectId: id,
        departmentId: row.departmentId,
        fromStatus: row.status,
        toStatus: dto.to,
        note: dto.note ?? null,
        checklist: dto.checklist ? dto.checklist.map((c) => ({ ...c })) : null,
        archiveRef: dto.to === 'archived' ? after.archiveRef : null,
        actorId: principalNow.userId,
        actorName: principalNow.username,
      });
      await this.audit.record(manager, {
        action: `${type}.transition`,
        targetType: type,
        targetId: id,
        departmentId: row.departmentId,
        before,
        after: { ...after, note: dto.note ?? null },
      });
      return Object.assign(row, after);
    });
  }

  async history(principal: Principal, type: SubjectType, id: string): Promise<MigrationTransition[]> {
    await loadScoped(this.dataSource.manager, this.scope, principal, ENTITY[type], type, id);
    return this.dataSource.getRepository(MigrationTransition).find({
      where: { subjectType: type, subjectId: id },
      order: { at: 'ASC', id: 'ASC' },
    });
  }
}
