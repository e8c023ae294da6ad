import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { conflict, invalid, notFound } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { DepartmentScope } from '../tenancy/department-scope.js';
import { definedFields } from '../tenancy/departments.service.js';
import type { CreateWaveDto, FillWaveDto, SuggestionQuery, UpdateWaveDto } from './dto/planning.dto.js';
import { InformationSystem } from './entities/information-system.entity.js';
import { MigrationWave } from './entities/migration-wave.entity.js';
import { scopeList } from './scoped.js';
import { EXEMPT_OR_RETIRED, type MigrationStatus } from './status-machine.js';
import { viewOf, type SystemView } from './systems.service.js';

/** Systems a wave may take: not yet planned, not in a wave, and meant to move onto the cloud. */
const CANDIDATE_STATUSES = ['inventoried', 'assessed'];
const MOVING_STRATEGIES = ['rehost', 'relocate-device', 'hosting'];

@Injectable()
export class WavesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: DepartmentScope,
    private readonly audit: AuditService,
  ) {}

  /**
   * Waves by target date, with how many systems each holds per status; `systems` counts those still to
   * migrate or migrated, as the statistics table does: one retired or exempted after it joined is
   * listed by status but is no work of the wave's.
   */
  async list(): Promise<Array<MigrationWave & { systems: number; byStatus: Record<string, number> }>> {
    const waves = await this.dataSource
      .getRepository(MigrationWave)
      .find({ order: { targetDate: 'ASC', name: 'ASC' } });
    const counts: Array<{ wave_id: string; status: MigrationStatus; n: string }> =
      await this.dataSource.query(
        'SELECT wave_id, status, count(*) AS n FROM information_systems WHERE wave_id IS NOT NULL GROUP BY wave_id, status',
      );
    return waves.map((w) => {
      const byStatus = Object.fromEntries(
        counts.filter((c) => c.wave_id === w.id).map((c) => [c.status, Number(c.n)]),
      );
      const systems = counts
        .filter((c) => c.wave_id === w.id && !EXEMPT_OR_RETIRED.includes(c.status))
        .reduce((sum, c) => sum + Number(c.n), 0);
      return { ...w, systems, byStatus };
    });
  }

  async create(dto: CreateWaveDto): Promise<MigrationWave> {
    return this.dataSource.transaction(async (manager) => {
      const wave = manager.getRepository(MigrationWave).create({ ...dto, note: dto.note ?? null });
      await manager.getRepository(MigrationWave).insert(wave);
      await this.audit.record(manager, {
        action: 'wave.create',
        targetType: 'wave',
        targetId: wave.id,
        after: wave,
      });
      return wave;
    });
  }

  async update(id: string, dto: UpdateWaveDto): Promise<MigrationWave> {
    return this.dataSource.transaction(async (manager) => {
      const before = await this.lock(manager, id);
      const after = { ...before, ...definedFields(dto) };
      await manager.getRepository(MigrationWave).save(after);
      await this.audit.record(manager, {
        action: 'wave.update',
        targetType: 'wave',
        targetId: id,
        before,
        after,
      });
      return after;
    });
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const wave = await this.lock(manager, id);
      const systems = await manager.getRepository(InformationSystem).countBy({ waveId: id });
      if (systems > 0) throw conflict(`wave ${wave.name} still holds ${systems} system(s)`);
      await manager.getRepository(MigrationWave).delete({ id });
      await this.audit.record(manager, {
        action: 'wave.delete',
        targetType: 'wave',
        targetId: id,
        before: wave,
      });
    });
  }

  /**
   * Easy first (先易后难): the lowest difficulty scores among systems not yet in a wave, still
   * inventoried or assessed, whose strategy moves them onto the cloud.
   */
  async suggestion(principal: Principal, id: string, query: SuggestionQuery): Promise<SystemView[]> {
    await this.get(id);
    const qb = this.dataSource
      .getRepository(InformationSystem)
      .createQueryBuilder('s')
      .where('s.wave_id IS NULL')
      .andWhere('s.status IN (:...statuses)', { statuses: CANDIDATE_STATUSES })
      .andWhere('coalesce(s.strategy_override, s.suggested_strategy) IN (:...strategies)', {
        strategies: MOVING_STRATEGIES,
      });
    await scopeList(qb, this.scope, principal, 's.department_id', query.departmentId);
    const systems = await qb
      .orderBy('s.difficulty_score', 'ASC')
      .addOrderBy('s.name', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .take(query.size ?? 20)
      .getMany();
    return systems.map((s) => viewOf(s));
  }

  /** Fills the wave with the current easy-first suggestion. */
  async fill(principal: Principal, id: string, dto: FillWaveDto): Promise<SystemView[]> {
    const suggested = await this.suggestion(principal, id, dto);
    if (suggested.length === 0) return [];
    return this.add(
      principal,
      id,
      suggested.map((s) => s.id),
    );
  }

  async add(principal: Principal, id: string, systemIds: string[]): Promise<SystemView[]> {
    return this.dataSource.transaction(async (manager) => {
      const wave = await this.lock(manager, id);
      const unique = [...new Set(systemIds)];
      const qb = manager
        .getRepository(InformationSystem)
        .createQueryBuilder('s')
        .setLock('pessimistic_write')
        .where({ id: In(unique) });
      await scopeList(qb, this.scope, principal, 's.department_id');
      const systems = await qb.getMany();
      const missing = unique.filter((sid) => !systems.some((s) => s.id === sid));
      if (missing.length > 0) throw invalid('systemIds', `no system ${missing.join(', ')}`);
      const outOfScope = systems.filter((s) => EXEMPT_OR_RETIRED.includes(s.status));
      if (outOfScope.length > 0)
        throw conflict(
          `systemIds: ${outOfScope.map((s) => `${s.name} (${s.status})`).join(', ')} will not migrate`,
        );
      const elsewhere = systems.filter((s) => s.waveId && s.waveId !== id);
      if (elsewhere.length > 0)
        throw conflict(`systemIds: ${elsewhere.map((s) => s.name).join(', ')} already in another wave`);
      await manager.getRepository(InformationSystem).update({ id: In(unique) }, { waveId: id });
      await this.audit.record(manager, {
        action: 'wave.add-systems',
        targetType: 'wave',
        targetId: id,
        after: { wave: wave.name, systemIds: unique },
      });
      return systems.map((s) => viewOf(Object.assign(s, { waveId: id })));
    });
  }

  async removeSystem(principal: Principal, id: string, systemId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.lock(manager, id);
      const result = await manager
        .getRepository(InformationSystem)
        .update({ id: systemId, waveId: id }, { waveId: null });
      if (!result.affected) throw notFound('system in this wave', systemId);
      await this.audit.record(manager, {
        action: 'wave.remove-system',
        targetType: 'wave',
        targetId: id,
        before: { systemId },
      });
    });
  }

  async get(id: string): Promise<MigrationWave> {
    const wave = await this.dataSource.getRepository(MigrationWave).findOneBy({ id });
    if (!wave) throw notFound('wave', id);
    return wave;
  }

  private async lock(manager: EntityManager, id: string): Promise<MigrationWave> {
    const wave = await manager
      .getRepository(MigrationWave)
      .createQueryBuilder('w')
      .setLock('pessimistic_write')
      .where('w.id = :id', { id })
      .getOne();
    if (!wave) throw notFound('wave', id);
    return wave;
  }
}
