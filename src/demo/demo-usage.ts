import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { User } from '../modules/auth/entities/user.entity.js';
import { AuditService } from '../modules/audit/audit.service.js';
import { parsePeriod, shiftPeriod } from '../modules/billing/period.js';
import { convergeJobs } from '../modules/jobs/job-catalogue.js';
import type { ResizeSpecDto } from '../modules/provisioning/dto/resource.dto.js';
import { Pool, type PoolTier, type ResourceKind } from '../modules/provisioning/entities/pool.entity.js';
import { ResourceEvent } from '../modules/provisioning/entities/resource-event.entity.js';
import { Resource, type ResourceSpec } from '../modules/provisioning/entities/resource.entity.js';
import { Provisioner } from '../modules/provisioning/jobs/provisioner.service.js';
import { capacityNeeds, Placement } from '../modules/provisioning/resources/placement.js';
import { quotaNeeds } from '../modules/provisioning/resources/resource-spec.js';
import type { ResourceState } from '../modules/provisioning/resources/resource-states.js';
import { QuotaService } from '../modules/quota/index.js';
import { Department } from '../modules/tenancy/entities/department.entity.js';
import { DEMO_POOLS } from './demo-provisioning.js';

/** Marks what this seeder made, so a second run finds it and changes nothing. */
export const DEMO_USAGE_LABEL = { demo: 'usage' };

/** What happened to a resource after it came up, at [day, hour] (UTC) of the previous month. */
type Step = { at: [number, number] } & ({ do: 'resize'; sizes: ResizeSpecDto } | { do: 'stop' | 'delete' });

/** A month of the demo city's usage: most run all along, one is resized, one stopped, one deleted. */
export const DEMO_USAGE: Array<{
  department: string;
  tier: PoolTier;
  kind: ResourceKind;
  name: string;
  spec: ResourceSpec;
  /** Came up at [day, hour] (UTC) of the previous month. */
  from: [number, number];
  steps?: Step[];
}> = [
  {
    department: 'tjj',
    tier: 'provider',
    kind: 'vm',
    name: '统计数据仓库-db-01',
    spec: { vcpu: 8, memoryGiB: 32, storageGiB: 500, image: 'kylin-v10' },
    from: [1, 1],
  },
  {
    department: 'tjj',
    tier: 'provider',
    kind: 'vm',
    name: '统计门户-web-01',
    spec: { vcpu: 4, memoryGiB: 8, storageGiB: 100, image: 'kylin-v10' },
    from: [1, 2],
    steps: [{ at: [12, 6], do: 'resize', sizes: { vcpu: 8, memoryGiB: 16 } }],
  },
  {
    department: 'gaj',
    tier: 'self-managed',
    kind: 'vm',
    name: '警务综合平台-app-01',
    spec: { vcpu: 16, memoryGiB: 64, storageGiB: 1000, image: 'kylin-v10' },
    from: [1, 1],
  },
  {
    department: 'gaj',
    tier: 'self-managed',
    kind: 'container',
    name: '视频结构化-worker',
    spec: {
      vcpu: 2,
      memoryGiB: 4,
      storageGiB: 20,
      image: 'registry.gov.local/video-worker:2.3',
      replicas: 3,
    },
    from: [4, 3],
  },
  {
    department: 'czj',
    tier: 'provider',
    kind: 'vm',
    name: '预算一体化-app-01',
    spec: { vcpu: 4, memoryGiB: 16, storageGiB: 200, image: 'uos-20' },
    from: [1, 1],
    steps: [{ at: [16, 10], do: 'stop' }],
  },
  {
    department: 'wjw',
    tier: 'provider',
    kind: 'vm',
    name: '健康档案-db-01',
    spec: { vcpu: 8, memoryGiB: 32, storageGiB: 800, image: 'kylin-v10' },
    from: [1, 1],
  },
  {
    department: 'wjw',
    tier: 'provider',
    kind: 'vm',
    name: '健康档案-test-01',
    spec: { vcpu: 2, memoryGiB: 4, storageGiB: 50, image: 'debian-12' },
    from: [3, 2],
    steps: [{ at: [21, 8], do: 'delete' }],
  },
  {
    department: 'rsj',
    tier: 'provider',
    kind: 'container',
    name: '社保服务门户',
    spec: { vcpu: 1, memoryGiB: 2, storageGiB: 10, image: 'registry.gov.local/si-portal:1.8', replicas: 2 },
    from: [6, 1],
  },
];

/**
 * Usage for the demo city (after seedDemoQuotas), so finance sees a rebill of last month at once.
 * resource_events is append-only and stamps each row when written, so the services cannot write a
 * past: each resource is written in its final state with its history dated in the previous month, and
 * takes its quota (ledger: reserve, commit, adjust, release) and pool capacity through the same
 * QuotaService and Placement calls the services make, in one transaction. The worker's converge handler
 * then makes the objects of the live ones in their fake pool (a settled resource gains no event from
 * it), so the reconciler finds nothing missing. Seeds once: labelled resources are left alone.
 */
export async function seedDemoUsage(app: INestApplicationContext): Promise<void> {
  const dataSource = app.get(DataSource);
  const seeded = await dataSource.query(`SELECT 1 FROM resources WHERE labels @> $1::jsonb LIMIT 1`, [
    JSON.stringify(DEMO_USAGE_LABEL),
  ]);
  const operator = await dataSource.getRepository(User).findOneBy({ username: 'operator' });
  if (seeded.length > 0 || !operator) return;
  const quota = app.get(QuotaService);
  const placement = app.get(Placement);
  const audit = app.get(AuditService);
  const month = parsePeriod(demoUsagePeriod()).from.getTime();
  const at = ([day, hour]: [number, number], minutes = 0) =>
    new Date(month + ((day - 1) * 24 + hour) * 3600_000 + minutes * 60_000);

  const live = await dataSource.transaction(async (manager) => {
    const pools = await manager.getRepository(Pool).findBy({ name: In(DEMO_POOLS.map(([name]) => name)) });
    const departments = await manager
      .getRepository(Department)
      .findBy({ code: In(DEMO_USAGE.map((r) => r.department)) });
    const ids: string[] = [];
    for (const seed of DEMO_USAGE) {
      const department = departments.find((d) => d.code === seed.department);
      const pool = pools.find((p) => p.tier === seed.tier);
      if (!department || !pool) continue;
      const resource = manager.getRepository(Resource).create({
        id: randomUUID(),
        departmentId: department.id,
        poolId: pool.id,
        kind: seed.kind,
        name: seed.name,
        spec: seed.spec,
        labels: DEMO_USAGE_LABEL,
        critical: department.critical,
        state: 'requested',
        desiredState: 'running',
        failureReason: null,
        observed: null,
        requestedBy: operator.id,
        createdAt: at(seed.from),
        deletedAt: null,
      });
      const events: Array<Partial<ResourceEvent>> = [];
      let from: ResourceState | null = null;
      const move = (to: ResourceState, when: Date, reason: string | null) => {
        events.push({ type: 'transition', fromState: from, toState: to, reason, occurredAt: when });
        resource.state = from = to;
      };
      move('requested', at(seed.from), null);
      move('queued', at(seed.from), `placed on pool ${pool.name}`);
      move('provisioning', at(seed.from, 1), null);
      move('running', at(seed.from, 3), 'driver: running');
      const needs = { kind: seed.kind, critical: resource.critical, needs: capacityNeeds(seed.spec) };
      const amounts = { departmentId: department.id, resourceId: resource.id };
      await manager.getRepository(Resource).insert({ ...resource, spec: { ...seed.spec } });
      // Quota first, then the pool: the order every path locks the two rows in.
      await quota.reserve(manager, { ...amounts, amounts: quotaNeeds(seed.spec) });
      await quota.commit(manager, resource.id);
      await placement.take(manager, pool, needs);
      for (const step of seed.steps ?? []) {
        if (step.do === 'resize') {
          const before = resource.spec;
          resource.spec = { ...before, ...step.sizes };
          await quota.adjust(manager, { ...amounts, amounts: quotaNeeds(resource.spec) });
          await placement.resize(manager, pool.id, capacityNeeds(before), capacityNeeds(resource.spec));
          events.push({
            type: 'resized',
            fromState: resource.state,
            toState: resource.state,
            reason: 'resize requested',
            occurredAt: at(step.at),
            spec: resource.spec,
          });
        } else if (step.do === 'stop') {
          resource.desiredState = 'stopped';
          move('stopped', at(step.at), 'driver: stopped');
        } else {
          resource.desiredState = 'deleted';
          move('deleting', at(step.at), 'deletion requested');
          move('deleted', at(step.at, 2), 'object removed');
          await quota.release(manager, resource.id);
          await placement.release(manager, pool.id, capacityNeeds(resource.spec));
        }
      }
      let spec = seed.spec;
      await manager.getRepository(ResourceEvent).insert(
        events.map((e) => {
          spec = e.spec ?? spec;
          return { ...e, resourceId: resource.id, departmentId: department.id, poolId: pool.id, spec };
        }),
      );
      await manager.getRepository(Resource).update(
        { id: resource.id },
        {
          state: resource.state,
          desiredState: resource.desiredState,
          spec: resource.spec,
          deletedAt: resource.state === 'deleted' ? events[events.length - 1].occurredAt : null,
        },
      );
      await audit.record(manager, {
        action: 'resource.demo-seed',
        targetType: 'resource',
        targetId: resource.id,
        departmentId: department.id,
        after: { state: resource.state, spec: resource.spec, history: `${events.length} events dated back` },
      });
      if (resource.state !== 'deleted') ids.push(resource.id);
    }
    return ids;
  });
  // The objects in the pool, made by the same idempotent handler the reconciler's recreation runs.
  const provisioner = app.get(Provisioner);
  for (const job of convergeJobs(live))
    await provisioner.converge(job, { jobId: undefined, attempt: 1, lastAttempt: true });
}

/** The month the demo usage fills: the previous calendar month. */
export const demoUsagePeriod = () => shiftPeriod(new Date().toISOString().slice(0, 7), -1);
