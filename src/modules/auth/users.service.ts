import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { invalid, notFound } from '../../common/errors.js';
import { AuditService } from '../audit/audit.service.js';
import { Department } from '../tenancy/entities/department.entity.js';
import { API_TOKEN_PREFIX, hashPassword, hashToken } from './auth.service.js';
import type { CreateApiTokenDto, CreateUserDto, UpdateUserDto } from './dto/auth.dto.js';
import { ApiToken } from './entities/api-token.entity.js';
import { User } from './entities/user.entity.js';
import type { Principal } from './principal.js';

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  list(): Promise<User[]> {
    return this.dataSource.getRepository(User).find({ order: { username: 'ASC' } });
  }

  async create(dto: CreateUserDto): Promise<User> {
    if (dto.role === 'dept-admin' && !dto.departmentId)
      throw invalid('departmentId', 'is required for a dept-admin');
    if (dto.role !== 'dept-admin' && dto.departmentId)
      throw invalid('departmentId', `is only for dept-admin, not ${dto.role}`);
    return this.dataSource.transaction(async (manager) => {
      if (dto.departmentId && !(await manager.getRepository(Department).existsBy({ id: dto.departmentId }))) {
        throw invalid('departmentId', `department ${dto.departmentId} does not exist`);
      }
      const repo = manager.getRepository(User);
      const user = repo.create({
        username: dto.username,
        displayName: dto.displayName ?? null,
        role: dto.role,
        departmentId: dto.departmentId ?? null,
        passwordHash: await hashPassword(dto.password),
      });
      await repo.insert(user);
      const { passwordHash: _, ...shown } = user;
      await this.audit.record(manager, {
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        departmentId: user.departmentId,
        after: shown,
      });
      return shown as User;
    });
  }

  async update(id: string, dto: UpdateUserDto): Promise<User> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(User);
      const before = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!before) throw notFound('user', id);
      const changes: Partial<User> = {};
      if (dto.displayName !== undefined) changes.displayName = dto.displayName;
      if (dto.disabled !== undefined) changes.disabled = dto.disabled;
      if (dto.password !== undefined) changes.passwordHash = await hashPassword(dto.password);
      // An operator who sets a new password or enables the user lifts a lockout from failed logins.
      if (dto.password !== undefined || dto.disabled === false) {
        changes.failedLogins = 0;
        changes.lockedUntil = null;
      }
      if (Object.keys(changes).length > 0) await repo.update({ id }, changes);
      const after = { ...before, ...changes, passwordHash: undefined };
      await this.audit.record(manager, {
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        departmentId: before.departmentId,
        before,
        after: { ...after, passwordChanged: dto.password !== undefined },
      });
      return after as unknown as User;
    });
  }

  /** The token is answered once, here; only its hash is kept. */
  async createToken(principal: Principal, dto: CreateApiTokenDto): Promise<ApiToken & { token: string }> {
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(ApiToken);
      const row = repo.create({
        userId: principal.userId,
        name: dto.name,
        tokenHash: hashToken(token),
        prefix: token.slice(0, 12),
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
      });
      await repo.insert(row);
      const { tokenHash: _, ...shown } = row;
      await this.audit.record(manager, {
        action: 'api-token.create',
        targetType: 'api-token',
        targetId: row.id,
        after: shown,
      });
      return { ...(shown as ApiToken), token };
    });
  }

  listTokens(principal: Principal): Promise<ApiToken[]> {
    return this.dataSource
      .getRepository(ApiToken)
      .find({ where: { userId: principal.userId }, order: { createdAt: 'DESC' } });
  }

  async revokeToken(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(ApiToken);
      const token = await repo.findOneBy({ id, userId: principal.userId });
      if (!token) throw notFound('api token', id);
      if (token.revokedAt) return;
      await repo.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
      await this.audit.record(manager, {
        action: 'api-token.revoke',
        targetType: 'api-token',
        targetId: id,
        before: token,
      });
    });
  }
}
