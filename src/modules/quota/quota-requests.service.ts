import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, ErrorCode, forbidden, invalid, notFound } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import type {
  ApproveQuotaRequestDto,
  CreateQuotaRequestDto,
  ListQuotaRequestsQuery,
  RejectQuotaRequestDto,
} from './dto/quota.dto.js';
import {
  QUOTA_REQUEST_TRANSITIONS,
  QuotaRequest,
  type QuotaRequestState,
} from './entities/quota-request.entity.js';
import { requireSome, type PartialAmounts } from './quota-amounts.js';
import { QUOTA_DIMENSIONS } from './quota-dimensions.js';
import { QuotaLimitsService } from './quota-limits.service.js';

/** Granted limits: each named dimension was asked for, and is granted at most what was asked. */
function grantedOf(asked: PartialAmounts, given: unknown): PartialAmounts {
  if (given === undefined) return asked;
  const granted = requireSome(given, 'limits');
  for (const d of QUOTA_DIMENSIONS) {
    const value = granted[d];
    if (value === undefined) continue;
    const wanted = asked[d];
    if (wanted === undefined) throw invalid(`limits.${d}`, 'was not asked for in this request');
    if (value > wanted) throw invalid(`limits.${d}`, `must be at most the ${wanted} asked for`);
  }
  return granted;
}

@Injectable()
export class QuotaRequestsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly limits: QuotaLimitsService,
    private readonly audit: AuditService,
  ) {}

  /** A dept-admin asks for its department or one below it; another department answers 404. */
  async create(principal: Principal, dto: CreateQuotaRequestDto): Promise<QuotaRequest> {
    const limits = requireSome(dto.limits, 'limits');
    return this.dataSource.transaction(async (manager) => {
      await this.scope.visible(principal, dto.departmentId, manager);
      const repo = manager.getRepository(QuotaRequest);
      const request = repo.create({
        departmentId: dto.departmentId,
        limits,
        reason: dto.reason,
        state: 'pending',
        requestedBy: principal.userId,
        approvedLimits: null,
        decidedBy: null,
        decidedAt: null,
        decisionComment: null,
      });
      await repo.save(request);
      await this.audit.record(manager, {
        action: 'quota-request.create',
        targetType: 'quota-request',
        targetId: request.id,
        departmentId: request.departmentId,
        after: request,
      });
      return request;
    });
  }

  async list(
    principal: Principal,
    query: ListQuotaRequestsQuery,
  ): Promise<{ items: QuotaRequest[]; total: number }> {
    const qb = this.dataSource
      .getRepository(QuotaRequest)
      .createQueryBuilder('r')
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.id', 'ASC')
      .take(query.limit ?? 100)
      .skip(query.offset ?? 0);
    const scope = await this.scope.filter(principal, 'r.department_id');
    if (scope) qb.andWhere(scope.sql, scope.params);
    if (query.state) qb.andWhere('r.state = :state', { state: query.state });
    if (query.departmentId) {
      const root = await this.scope.visible(principal, query.departmentId);
      qb.andWhere('r.department_id IN (SELECT id FROM departments WHERE path LIKE :root)', {
        root: `${root.path}%`,
      });
    }
    const [items, total] = await qb.getManyAndCount();
    return { items, total };
  }

  get(principal: Principal, id: string): Promise<QuotaRequest> {
    return this.visible(principal, id, this.dataSource.manager);
  }

  /** The request, if the caller may see its department (404 otherwise); locked when deciding. */
  private async visible(principal: Principal, id: string, manager: EntityManager, lock = false) {
    const request = await manager
      .getRepository(QuotaRequest)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!request) throw notFound('quota request', id);
    try {
      await this.scope.visible(principal, request.departmentId, manager);
    } catch (error) {
      // Out of the caller's scope reads as not there; a lost connection must not (a 404 would be final).
      if (error instanceof DomainError && error.code === ErrorCode.NotFound)
        throw notFound('quota request', id);
      throw error;
    }
    return request;
  }

  /**
   * Grants the request in full, or in part (limits lower than asked), applying the limits in the same
   * transaction: if the parent has no room the approval is refused and the request stays pending.
   */
  approve(principal: Principal, id: string, dto: ApproveQuotaRequestDto): Promise<QuotaRequest> {
    return this.decide(principal, id, 'approved', async (manager, request) => {
      if (request.requestedBy === principal.userId)
        throw forbidden('a quota request cannot be approved by the user who filed it');
      const granted = grantedOf(request.limits, dto.limits);
      await this.limits.setLimits(manager, request.departmentId, granted);
      return { approvedLimits: granted, decisionComment: dto.comment ?? null };
    });
  }

  reject(principal: Principal, id: string, dto: RejectQuotaRequestDto): Promise<QuotaRequest> {
    return this.decide(principal, id, 'rejected', async () => ({ decisionComment: dto.reason }));
  }

  /** The one place a request changes state: locked, checked against the transitions table, audited. */
  private decide(
    principal: Principal,
    id: string,
    to: QuotaRequestState,
    apply: (manager: EntityManager, request: QuotaRequest) => Promise<Partial<QuotaRequest>>,
  ): Promise<QuotaRequest> {
    return this.dataSource.transaction(async (manager) => {
      const before = await this.visible(principal, id, manager, true);
      if (!QUOTA_REQUEST_TRANSITIONS[before.state].includes(to))
        throw new DomainError(ErrorCode.InvalidTransition, `quota request ${id} is already ${before.state}`, {
          state: before.state,
        });
      const changes = await apply(manager, before);
      const after: QuotaRequest = {
        ...before,
        ...changes,
        state: to,
        decidedBy: principal.userId,
        decidedAt: new Date(),
      };
      await manager.getRepository(QuotaRequest).save(after);
      await this.audit.record(manager, {
        action: to === 'approved' ? 'quota-request.approve' : 'quota-request.reject',
        targetType: 'quota-request',
        targetId: id,
        departmentId: before.departmentId,
        before,
        after,
      });
      return after;
    });
  }
}
