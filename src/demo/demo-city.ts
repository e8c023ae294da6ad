import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { seedDemoInventory } from './demo-inventory.js';
import { hashPassword } from '../modules/auth/auth.service.js';
import { User } from '../modules/auth/entities/user.entity.js';
import type { Role } from '../modules/auth/principal.js';
import { Department, type DepartmentKind } from '../modules/tenancy/entities/department.entity.js';
import { seedDemoProvisioning } from './demo-provisioning.js';

/** The municipal bodies the policy documents name (DESIGN.md, "Demo city"). */
const MUNICIPAL: Array<[code: string, name: string, nameEn: string]> = [
  ['gov-office', '市政府办公室', 'General Office of the Municipal Government'],
  ['bianwei', '市编委办', 'Commission Office for Public Sector Reform'],
  ['fgw', '市发改委', 'Development and Reform Commission'],
  ['jxw', '市经信委', 'Economy and Information Technology Commission'],
  ['gaj', '市公安局', 'Public Security Bureau'],
  ['mzj', '市民政局', 'Civil Affairs Bureau'],
  ['czj', '市财政局', 'Finance Bureau'],
  ['rsj', '市人力社保局', 'Human Resources and Social Security Bureau'],
  ['ghj', '市规划局', 'Planning Bureau'],
  ['wjw', '市卫计委', 'Health and Family Planning Commission'],
  ['tjj', '市统计局', 'Statistics Bureau'],
  ['sgb', '市审管办', 'Administrative Approval Office'],
  ['scjg', '市市场监管局', 'Market Supervision Administration'],
  ['zjj', '市质监局', 'Quality and Technical Supervision Bureau'],
];

export const DEMO_PASSWORD = 'govcloud-demo';

export interface DemoLogin {
  username: string;
  role: Role;
  department?: string;
}

/** Seeds the demo city once; a second run finds the city and changes nothing. */
export async function seedDemoCity(dataSource: DataSource): Promise<DemoLogin[]> {
  const departments = dataSource.getRepository(Department);
  const logins: DemoLogin[] = [
    { username: 'operator', role: 'operator' },
    { username: 'finance', role: 'finance' },
    { username: 'auditor', role: 'auditor' },
    { username: 'gaj-admin', role: 'dept-admin', department: '市公安局' },
    { username: 'tjj-admin', role: 'dept-admin', department: '市统计局' },
  ];
  if (await departments.existsBy({ code: 'city' })) return logins;

  await dataSource.transaction(async (manager) => {
    const repo = manager.getRepository(Department);
    const add = async (
      code: string,
      name: string,
      nameEn: string,
      kind: DepartmentKind,
      parent?: Department,
      critical = false,
    ) => {
      const id = randomUUID();
      const department = repo.create({
        id,
        code,
        name,
        nameEn,
        kind,
        parentId: parent?.id ?? null,
        path: `${parent?.path ?? '/'}${id}/`,
        critical,
      });
      await repo.insert(department);
      return department;
    };
    const city = await add('city', '示范市', 'Demo City', 'city');
    const byCode = new Map<string, Department>();
    for (const [code, name, nameEn] of MUNICIPAL)
      byCode.set(code, await add(code, name, nameEn, 'department', city, code === 'gaj'));
    await add('gaj-xxzx', '市公安局信息中心', 'PSB Information Centre', 'unit', byCode.get('gaj'));
    await add('tjj-pczx', '市统计局普查中心', 'Census Centre', 'unit', byCode.get('tjj'));
    for (const [code, name, nameEn] of [
      ['lucheng', '鹿城区', 'Lucheng District'],
      ['ouhai', '瓯海区', 'Ouhai District'],
    ]) {
      const district = await add(code, name, nameEn, 'district', city);
      await add(
        `${code}-zwb`,
        `${name}政务服务办`,
        `${nameEn} Government Services Office`,
        'department',
        district,
      );
      await add(`${code}-wjj`, `${name}卫健局`, `${nameEn} Health Bureau`, 'department', district);
    }

    await seedDemoInventory(manager, byCode);

    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const users = manager.getRepository(User);
    const deptByName = new Map([...byCode.values()].map((d) => [d.name, d.id]));
    for (const login of logins) {
      const departmentId = login.department ? (deptByName.get(login.department) ?? null) : null;
      await users
        .createQueryBuilder()
        .insert()
        .values({ username: login.username, role: login.role, departmentId, passwordHash })
        .orIgnore()
        .execute();
    }
    await seedDemoProvisioning(manager);
  });
  return logins;
}
