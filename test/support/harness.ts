import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp, type AppRole } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/config.js';
import { User } from '../../src/modules/auth/entities/user.entity.js';
import type { Role } from '../../src/modules/auth/principal.js';
import { Department, type DepartmentKind } from '../../src/modules/tenancy/entities/department.entity.js';

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  dataSource: DataSource;
  world: World;
  close(): Promise<void>;
}

export async function startApp(role: AppRole = { api: true, worker: false }): Promise<TestApp> {
  const app = await createApp(role);
  await app.init();
  const dataSource = app.get(DataSource);
  return {
    app,
    http: () => request(app.getHttpServer()),
    dataSource,
    world: new World(dataSource, app.get(JwtService)),
    close: () => app.close(),
  };
}

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** Builds departments and users straight in the database, so tests state only what they are about. */
export class World {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
  ) {}

  async department(
    kind: DepartmentKind,
    parent?: Department,
    extra: Partial<Department> = {},
  ): Promise<Department> {
    const repo = this.dataSource.getRepository(Department);
    const id = randomUUID();
    const department = repo.create({
      id,
      code: unique(kind),
      name: `${kind} ${id.slice(0, 6)}`,
      nameEn: null,
      kind,
      parentId: parent?.id ?? null,
      path: `${parent?.path ?? '/'}${id}/`,
      critical: false,
      ...extra,
    });
    await repo.insert(department);
    return department;
  }

  /** A city with one district, a department under it, and a unit under that; plus a second department. */
  async city() {
    const city = await this.department('city');
    const district = await this.department('district', city);
    const dept = await this.department('department', district);
    const unit = await this.department('unit', dept);
    const other = await this.department('department', city);
    return { city, district, dept, unit, other };
  }

  async user(role: Role, departmentId: string | null = null): Promise<User> {
    const repo = this.dataSource.getRepository(User);
    const user = repo.create({
      username: unique(role),
      role,
      departmentId,
      passwordHash: 'not-a-login-user',
    });
    await repo.insert(user);
    return user;
  }

  async token(role: Role, departmentId: string | null = null): Promise<string> {
    const user = await this.user(role, departmentId);
    return this.tokenOf(user);
  }

  tokenOf(user: User): Promise<string> {
    return this.jwt.signAsync({ sub: user.id }, { secret: loadConfig().JWT_SECRET, expiresIn: '1h' });
  }

  /** Bearer tokens for each role; dept-admins bound to the given departments. */
  async tokens(ownDepartmentId: string, otherDepartmentId: string) {
    return {
      operator: await this.token('operator'),
      finance: await this.token('finance'),
      auditor: await this.token('auditor'),
      deptAdmin: await this.token('dept-admin', ownDepartmentId),
      otherAdmin: await this.token('dept-admin', otherDepartmentId),
    };
  }
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
