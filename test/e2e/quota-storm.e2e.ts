import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { QuotaDriftService } from '../../src/modules/quota/quota-drift.service.js';
import type { Department } from '../../src/modules/tenancy/entities/department.entity.js';
import { startApp, type TestApp } from '../support/harness.js';
import { QuotaDriver } from '../support/quota.js';

type Plan = Array<{ departmentId: string; amounts: Record<string, number> }>;
type Outcome = { departmentId: string; outcome: string };

/** A separate Node process running the application, as a second API replica would. */
function apiProcess() {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', './scripts/register.mjs', 'test/support/quota-storm.ts'],
    { env: { ...process.env, LOG_LEVEL: 'silent' } },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`storm process exited ${code}: ${stderr}`))),
  );
  exited.catch(() => undefined);
  const next = (prefix: string) =>
    Promise.race([
      new Promise<string>((resolve) => {
        const onLine = (line: string) => {
          if (!line.startsWith(prefix)) return;
          lines.off('line', onLine);
          resolve(line.slice(prefix.length));
        };
        lines.on('line', onLine);
      }),
      exited,
    ]);
  return {
    ready: next('ready'),
    run(plan: Plan): Promise<Outcome[]> {
      const result = next('result ');
      child.stdin.write(`${JSON.stringify(plan)}\n`);
      return result.then((json) => JSON.parse(json) as Outcome[]);
    },
    stop: () => child.stdin.end(),
  };
}

const count = (outcomes: Outcome[], outcome: string) => outcomes.filter((o) => o.outcome === outcome).length;

describe('quota storm: concurrent reservations from two API processes never overcommit', () => {
  let t: TestApp;
  let q: QuotaDriver;
  let district: Department;
  let processes: Array<ReturnType<typeof apiProcess>>;

  /** Splits the plan between the two processes, hands both their half at once, and answers every outcome. */
  const storm = async (plan: Plan) =>
    (await Promise.all(processes.map((p, half) => p.run(plan.filter((_, i) => i % 2 === half))))).flat();

  beforeAll(async () => {
    processes = [apiProcess(), apiProcess()];
    t = await startApp();
    q = new QuotaDriver(t);
    const tree = await t.world.city();
    district = tree.district;
    await q.limits(tree.city.id, { vcpu: 100_000, instances: 100_000 });
    await q.limits(district.id, { vcpu: 10_000, instances: 10_000 });
    await Promise.all(processes.map((p) => p.ready));
  }, 120_000);
  afterAll(async () => {
    for (const p of processes) p.stop();
    await t.close();
  });

  const ledgerUse = async (departmentId: string) => (await q.ledgerSum(departmentId)).instances;
  const cachedUse = async (departmentId: string) =>
    Number(
      (
        await t.dataSource.query('SELECT instances_used FROM department_quotas WHERE department_id = $1', [
          departmentId,
        ])
      )[0].instances_used,
    );

  it('500 reservations against a limit of 100 on one department: exactly 100 succeed', async () => {
    const dept = await t.world.department('department', district);
    await q.limits(dept.id, { vcpu: 1000, instances: 100 });
    const plan = Array.from({ length: 500 }, () => ({
      departmentId: dept.id,
      amounts: { vcpu: 2, instances: 1 },
    }));
    const outcomes = await storm(plan);
    expect(outcomes.filter((o) => o.outcome !== 'ok' && o.outcome !== 'exceeded')).toEqual([]);
    expect(count(outcomes, 'ok')).toBe(100);
    expect(count(outcomes, 'exceeded')).toBe(400);
    expect(await ledgerUse(dept.id)).toBe(100);
    expect((await q.ledgerSum(dept.id)).vcpu).toBe(200);
    expect(await cachedUse(dept.id)).toBe(100);
    expect(await t.app.get(QuotaDriftService).check()).toMatchObject({ clean: true, differences: [] });
  });

  it('500 reservations over 20 departments sharing one parent’s 100: exactly 5 each', async () => {
    const parent = await t.world.department('department', district);
    await q.limits(parent.id, { vcpu: 1000, instances: 100 });
    const units: Department[] = [];
    for (let i = 0; i < 20; i++) {
      const unit = await t.world.department('unit', parent);
      await q.limits(unit.id, { vcpu: 50, instances: 5 });
      units.push(unit);
    }
    // The parent has handed out all of its 100 instances: a 21st grant is refused.
    const extra = await t.world.department('unit', parent);
    await expect(q.limits(extra.id, { instances: 1 })).rejects.toMatchObject({ code: 'QuotaExceeded' });
    const plan = Array.from({ length: 500 }, (_, i) => ({
      departmentId: units[i % 20].id,
      amounts: { vcpu: 1, instances: 1 },
    }));
    const outcomes = await storm(plan);
    expect(outcomes.filter((o) => o.outcome !== 'ok' && o.outcome !== 'exceeded')).toEqual([]);
    expect(count(outcomes, 'ok')).toBe(100);
    expect(count(outcomes, 'exceeded')).toBe(400);
    for (const unit of units) {
      expect(
        count(
          outcomes.filter((o) => o.departmentId === unit.id),
          'ok',
        ),
      ).toBe(5);
      expect(await ledgerUse(unit.id)).toBe(5);
    }
    expect(await ledgerUse(parent.id)).toBe(0);
    expect(await t.app.get(QuotaDriftService).check()).toMatchObject({ clean: true, differences: [] });
  });
});
