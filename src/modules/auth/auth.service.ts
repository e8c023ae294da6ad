import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import argon2 from 'argon2';
import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { AppConfig } from '../../config/config.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { rootLogger } from '../../common/logger.js';
import { requestContext, type RequestContext } from '../../common/request-context.js';
import { AuditService } from '../audit/audit.service.js';
import { ApiToken } from './entities/api-token.entity.js';
import { User } from './entities/user.entity.js';
import type { Principal } from './principal.js';

export const API_TOKEN_PREFIX = 'gct_';

export const hashPassword = (password: string) => argon2.hash(password);
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const USER_BY_ID = 'SELECT id, username, role, department_id, disabled FROM users WHERE id = $1';
const USER_BY_NAME = `SELECT id, username, role, department_id, disabled, password_hash, locked_until,
                             locked_until > now() AS locked
                      FROM users WHERE username = $1`;

const unauthorized = () => new DomainError(ErrorCode.Unauthorized, 'authorization: invalid or expired token');

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  /**
   * The HMAC key as a KeyObject, made once: given a string, jsonwebtoken first tries it as a public key
   * and makes the secret key in the catch, on every request (a tenth of an API process's CPU).
   */
  private readonly verifyKey: KeyObject;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {
    this.verifyKey = createSecretKey(Buffer.from(config.JWT_SECRET));
  }

  /** First start with no users: create the operator named by GOVCLOUD_ADMIN_USER. */
  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdmin();
  }

  async ensureAdmin(): Promise<void> {
    const users = this.dataSource.getRepository(User);
    if ((await users.count()) > 0) return;
    const password = this.config.GOVCLOUD_ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
    // Two processes starting together: the unique username makes the second insert a no-op.
    const result = await users
      .createQueryBuilder()
      .insert()
      .values({
        username: this.config.GOVCLOUD_ADMIN_USER,
        role: 'operator',
        passwordHash: await hashPassword(password),
      })
      .orIgnore()
      .execute();
    if (result.identifiers.length > 0 && !this.config.GOVCLOUD_ADMIN_PASSWORD) {
      rootLogger().warn(
        `created operator "${this.config.GOVCLOUD_ADMIN_USER}" with generated password: ${password}`,
      );
    }
  }

  /**
   * Checks a password. LOGIN_MAX_FAILURES wrong ones in a row lock the account for LOGIN_LOCK_MINUTES:
   * while locked it answers 429 without hashing (a password spray costs no argon2). Every attempt is
   * audited, as the security audit of 等保 requires: auth.login, auth.login-failed, auth.login-locked.
   */
  async login(username: string, password: string): Promise<{ accessToken: string; user: Principal }> {
    const [user] = (await this.dataSource.query(USER_BY_NAME, [username])) as Array<
      UserRow & { password_hash: string; locked: boolean; locked_until: Date | null }
    >;
    const principal = user && principalOf(user);
    if (user?.locked) {
      await this.recordAttempt(principal, { action: 'auth.login-failed', reason: 'locked' });
      throw locked(user.locked_until!);
    }
    // Verify against a dummy hash when the user is unknown, so timing does not reveal which usernames exist.
    const ok = await argon2.verify(user?.password_hash ?? DUMMY_HASH, password).catch(() => false);
    if (!user || !ok || user.disabled) {
      await this.failed(principal, username, user?.disabled ? 'disabled' : 'wrong password');
      throw new DomainError(ErrorCode.Unauthorized, 'username or password is wrong');
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND failed_logins > 0`,
        [user.id],
      );
      await this.audit.record(manager, attempt(principal, 'auth.login'), asActor(principal));
    });
    const accessToken = await this.jwt.signAsync(
      { sub: user.id },
      { secret: this.config.JWT_SECRET, expiresIn: this.config.JWT_TTL as any },
    );
    return { accessToken, user: principal };
  }

  /** Counts a failure against a known user, locking it at the limit; an unknown name is only audited. */
  private async failed(principal: Principal | undefined, username: string, reason: string): Promise<void> {
    if (!principal) {
      await this.audit.record(this.dataSource.manager, {
        action: 'auth.login-failed',
        targetType: 'user',
        targetId: username,
        after: { reason: 'unknown user' },
      });
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      // One statement: concurrent failures each count, and a lock that has run out starts the count again.
      const [[row]] = (await manager.query(
        `UPDATE users u SET failed_logins = c.failures + 1,
                locked_until = CASE WHEN c.failures + 1 >= $2 THEN now() + make_interval(mins => $3) END
         FROM (SELECT id, CASE WHEN locked_until <= now() THEN 0 ELSE failed_logins END AS failures
               FROM users WHERE id = $1 FOR UPDATE) c
         WHERE u.id = c.id
         RETURNING u.failed_logins, u.locked_until`,
        [principal.userId, this.config.LOGIN_MAX_FAILURES, this.config.LOGIN_LOCK_MINUTES],
      )) as [Array<{ failed_logins: number; locked_until: Date | null }>, number];
      const context = asActor(principal);
      await this.audit.record(
        manager,
        { ...attempt(principal, 'auth.login-failed'), after: { reason, failedLogins: row.failed_logins } },
        context,
      );
      if (row.locked_until)
        await this.audit.record(
          manager,
          {
            ...attempt(principal, 'auth.login-locked'),
            after: { failedLogins: row.failed_logins, lockedUntil: row.locked_until },
          },
          context,
        );
    });
  }

  private recordAttempt(principal: Principal, what: { action: string; reason: string }): Promise<void> {
    return this.audit.record(
      this.dataSource.manager,
      { ...attempt(principal, what.action), after: { reason: what.reason } },
      asActor(principal),
    );
  }

  /** A bearer token to the caller it stands for; the user row is re-read so disabling takes effect at once. */
  async resolve(token: string): Promise<Principal> {
    const userId = token.startsWith(API_TOKEN_PREFIX)
      ? await this.userOfApiToken(token)
      : await this.userOfJwt(token);
    // Every authenticated request runs this: one plain statement, not the query builder and entity
    // mapping, which cost more CPU than the statement itself.
    const [user] = (await this.dataSource.query(USER_BY_ID, [userId])) as UserRow[];
    if (!user || user.disabled) throw unauthorized();
    return principalOf(user);
  }

  private async userOfJwt(token: string): Promise<string> {
    try {
      // jsonwebtoken takes a KeyObject; @nestjs/jwt's option type names only string and Buffer.
      const payload = await this.jwt.verifyAsync<{ sub: string }>(token, {
        secret: this.verifyKey as unknown as Buffer,
        algorithms: ['HS256'],
      });
      return payload.sub;
    } catch {
      throw unauthorized();
    }
  }

  private async userOfApiToken(token: string): Promise<string> {
    const tokens = this.dataSource.getRepository(ApiToken);
    const found = await tokens.findOneBy({ tokenHash: hashToken(token), revokedAt: IsNull() });
    if (!found || (found.expiresAt && found.expiresAt < new Date())) throw unauthorized();
    await tokens.update({ id: found.id }, { lastUsedAt: new Date() });
    return found.userId;
  }
}

interface UserRow {
  id: string;
  username: string;
  role: Principal['role'];
  department_id: string | null;
  disabled: boolean;
}

const principalOf = (user: UserRow): Principal => ({
  userId: user.id,
  username: user.username,
  role: user.role,
  departmentId: user.department_id,
});

const attempt = (principal: Principal, action: string) => ({
  action,
  targetType: 'user',
  targetId: principal.userId,
  departmentId: principal.departmentId,
});

/** A login's audit entries name the user it claimed to be: no token has made anyone the actor yet. */
const asActor = (principal: Principal): RequestContext => ({
  requestId: requestContext.get()?.requestId ?? '',
  principal,
});

const locked = (until: Date) =>
  new DomainError(
    ErrorCode.TooManyRequests,
    `username: locked after too many failed logins, until ${until.toISOString()}`,
    {
      field: 'username',
      lockedUntil: until.toISOString(),
      retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000)),
    },
  );

const DUMMY_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$8y3aPDLqCmhtZlTtPsVKVp0Ci8nZy0HoU+ElpITzCrM';
