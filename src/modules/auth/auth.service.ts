import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import argon2 from 'argon2';
import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { AppConfig } from '../../config/config.js';
import { DomainError, ErrorCode } from '../../common/errors.js';
import { rootLogger } from '../../common/logger.js';
import { ApiToken } from './entities/api-token.entity.js';
import { User } from './entities/user.entity.js';
import type { Principal } from './principal.js';

export const API_TOKEN_PREFIX = 'gct_';

export const hashPassword = (password: string) => argon2.hash(password);
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const USER_BY_ID = 'SELECT id, username, role, department_id, disabled FROM users WHERE id = $1';

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

  async login(username: string, password: string): Promise<{ accessToken: string; user: Principal }> {
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.username = :username', { username })
      .getOne();
    // Verify against a dummy hash when the user is unknown, so timing does not reveal which usernames exist.
    const ok = await argon2.verify(user?.passwordHash ?? DUMMY_HASH, password).catch(() => false);
    if (!user || !ok || user.disabled)
      throw new DomainError(ErrorCode.Unauthorized, 'username or password is wrong');
    const principal = toPrincipal(user);
    const accessToken = await this.jwt.signAsync(
      { sub: user.id },
      { secret: this.config.JWT_SECRET, expiresIn: this.config.JWT_TTL as any },
    );
    return { accessToken, user: principal };
  }

  /** A bearer token to the caller it stands for; the user row is re-read so disabling takes effect at once. */
  async resolve(token: string): Promise<Principal> {
    const userId = token.startsWith(API_TOKEN_PREFIX)
      ? await this.userOfApiToken(token)
      : await this.userOfJwt(token);
    // Every authenticated request runs this: one plain statement, not the query builder and entity
    // mapping, which cost more CPU than the statement itself.
    const [user] = (await this.dataSource.query(USER_BY_ID, [userId])) as Array<{
      id: string;
      username: string;
      role: Principal['role'];
      department_id: string | null;
      disabled: boolean;
    }>;
    if (!user || user.disabled) throw unauthorized();
    return { userId: user.id, username: user.username, role: user.role, departmentId: user.department_id };
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

export function toPrincipal(user: User): Principal {
  return { userId: user.id, username: user.username, role: user.role, departmentId: user.departmentId };
}

const DUMMY_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$8y3aPDLqCmhtZlTtPsVKVp0Ci8nZy0HoU+ElpITzCrM';
