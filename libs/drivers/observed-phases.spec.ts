// What each driver reports as an object's phase for each condition the pool can show: the table the
// worker acts on (running → the resource is up; stopped → start it or record the stop; failed/pending).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1Deployment } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { FakeDriver } from './fake/fake-driver.js';
import { fakeKeys, FakePool } from './fake/fake-pool.js';
import { buildDeployment, observeDeployment, STOPPED_ANNOTATION } from './kubernetes/deployment.js';
import {
  buildVirtualMachine,
  observeVirtualMachine,
  type VirtualMachine,
} from './kubevirt/virtual-machine.js';
import { domainPhase } from './libvirt/libvirt-driver.js';
import { objectName } from './naming.js';
import { aResource } from './testing/driver-contract.js';
import type { DriverResource, ObservedObject } from './types.js';

// Every row names its detail or undefined: for a missing column Jest would pass its done callback.
function expectObserved(
  observed: ObservedObject,
  r: DriverResource,
  phase: string,
  detail: string | undefined,
) {
  expect(observed).toMatchObject({ phase, resourceId: r.id, name: objectName(r.id) });
  if (detail) expect(observed.detail).toBe(detail);
}

describe('kubernetes: a Deployment', () => {
  const r = aResource('container', {
    spec: { vcpu: 1, memoryGiB: 1, storageGiB: 0, image: 'x', replicas: 3 },
  });
  const deployment = (status: V1Deployment['status'], extra: Partial<V1Deployment['metadata']> = {}) => {
    const d = buildDeployment(r, 'gc-ns', false);
    return { ...d, metadata: { ...d.metadata, generation: 2, ...extra }, status };
  };
  const failure = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: `${reason} happened`,
  });

  it.each<[string, V1Deployment, string, string | undefined]>([
    [
      'all replicas of the current template available → running',
      deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      'running',
      undefined,
    ],
    // As `kubectl rollout status` has it: the old template's pods are still up (and available).
    [
      'mid-rollout, old replicas still up → pending',
      deployment({ observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 4 }),
      'pending',
      '3/3 replicas updated, 4 available, 1 old',
    ],
    [
      'new replicas not all made yet, the old ones available → pending',
      deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 3 }),
      'pending',
      '1/3 replicas updated, 3 available, 2 old',
    ],
    [
      'some replicas available → pending',
      deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 1 }),
      'pending',
      '3/3 replicas updated, 1 available, 0 old',
    ],
    ['no status yet → pending', deployment(undefined), 'pending', 'generation 2 not yet observed'],
    // The controller has not seen the latest spec: what it reports is about the old one.
    [
      'status of an older generation → pending',
      deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      'pending',
      'generation 2 not yet observed',
    ],
    [
      'a failure of an older generation (the spec since fixed) → pending',
      deployment({
        observedGeneration: 1,
        conditions: [failure('Progressing', 'False', 'ProgressDeadlineExceeded')],
      }),
      'pending',
      'generation 2 not yet observed',
    ],
    [
      'ReplicaFailure (quota, admission) → failed',
      deployment({ observedGeneration: 2, conditions: [failure('ReplicaFailure', 'True', 'FailedCreate')] }),
      'failed',
      'FailedCreate: FailedCreate happened',
    ],
    [
      'rollout past its progress deadline → failed',
      deployment({
        observedGeneration: 2,
        conditions: [failure('Progressing', 'False', 'ProgressDeadlineExceeded')],
      }),
      'failed',
      'ProgressDeadlineExceeded: ProgressDeadlineExceeded happened',
    ],
    [
      'progressing normally → running',
      deployment({
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 3,
        conditions: [failure('Progressing', 'True', 'NewReplicaSetAvailable')],
      }),
      'running',
      undefined,
    ],
    [
      'scaled to 0 by a stop, even while failing → stopped',
      deployment(
        { observedGeneration: 2, conditions: [failure('ReplicaFailure', 'True', 'FailedCreate')] },
        { annotations: { [STOPPED_ANNOTATION]: 'true' } },
      ),
      'stopped',
      undefined,
    ],
  ])('%s', (_label, d, phase, detail) => expectObserved(observeDeployment(d), r, phase, detail));
});

describe('kubevirt: a VirtualMachine', () => {
  const r = aResource('vm');
  const vm = (
    status: VirtualMachine['status'],
    runStrategy: 'Always' | 'Halted' = 'Always',
    generation?: number,
  ) => {
    const machine = buildVirtualMachine(r, 'gc-ns', runStrategy);
    return { ...machine, metadata: { ...machine.metadata, generation }, status };
  };

  it.each<[string, VirtualMachine, string, string | undefined]>([
    ['Running and ready → running', vm({ printableStatus: 'Running', ready: true }), 'running', undefined],
    [
      'Running, guest not ready yet → pending',
      vm({ printableStatus: 'Running', ready: false }),
      'pending',
      'Running',
    ],
    ['Starting → pending', vm({ printableStatus: 'Starting' }), 'pending', 'Starting'],
    [
      'Provisioning (data volumes) → pending',
      vm({ printableStatus: 'Provisioning' }),
      'pending',
      'Provisioning',
    ],
    ['no status yet → pending', vm(undefined), 'pending', 'not yet scheduled'],
    [
      'ErrorUnschedulable, with the condition that says why → failed',
      vm({
        printableStatus: 'ErrorUnschedulable',
        conditions: [{ type: 'PodScheduled', status: 'False', message: '0/3 nodes are available' }],
      }),
      'failed',
      'ErrorUnschedulable: 0/3 nodes are available',
    ],
    ['ImagePullBackOff → failed', vm({ printableStatus: 'ImagePullBackOff' }), 'failed', 'ImagePullBackOff'],
    [
      'ImagePullBackOff of an older generation (the image since fixed) → pending',
      vm({ printableStatus: 'ImagePullBackOff', observedGeneration: 1 }, 'Always', 2),
      'pending',
      'generation 2 not yet observed',
    ],
    [
      'ImagePullBackOff of the current generation → failed',
      vm({ printableStatus: 'ImagePullBackOff', observedGeneration: 2 }, 'Always', 2),
      'failed',
      'ImagePullBackOff',
    ],
    ['CrashLoopBackOff → failed', vm({ printableStatus: 'CrashLoopBackOff' }), 'failed', 'CrashLoopBackOff'],
    ['Halted by a stop → stopped', vm({ printableStatus: 'Stopped' }, 'Halted'), 'stopped', undefined],
    [
      'Halted, still shutting down → stopped',
      vm({ printableStatus: 'Stopping', ready: true }, 'Halted'),
      'stopped',
      undefined,
    ],
  ])('%s', (_label, machine, phase, detail) =>
    expectObserved(observeVirtualMachine(machine), r, phase, detail),
  );
});

describe('libvirt: virsh domstate', () => {
  it.each([
    ['running', 'running'],
    ['idle', 'running'],
    ['blocked', 'running'],
    ['paused', 'pending'],
    ['in shutdown', 'pending'],
    ['dying', 'pending'],
    ['shut off', 'stopped'],
    ['pmsuspended', 'stopped'],
    ['crashed', 'failed'],
    ['no state', 'pending'],
    ['something newer', 'pending'],
  ])('%s → %s', (state, phase) => {
    expect(domainPhase(state)).toBe(phase);
  });
});

describe('fake: the phase kept in Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    const url = process.env.REDIS_URL;
    if (!url) throw new Error('REDIS_URL is not set: run the tests with npm test');
    redis = new Redis(url);
  });
  afterAll(() => redis.quit());

  it('created → running; stop → stopped, which ensure keeps; start → running; lost phase → failed', async () => {
    const prefix = `test-phases-${randomUUID().slice(0, 8)}`;
    const pool = { id: randomUUID(), type: 'fake' as const, connection: '' };
    const driver = new FakeDriver(pool, { redis, keyPrefix: prefix });
    const r = aResource('vm');
    const phaseInList = async () => (await driver.list()).find((o) => o.resourceId === r.id)?.phase;
    try {
      expect((await driver.ensure(r)).phase).toBe('running');
      expect((await driver.stop(r)).phase).toBe('stopped');
      expect((await driver.ensure(r)).phase).toBe('stopped');
      expect(await phaseInList()).toBe('stopped');
      expect((await driver.start(r)).phase).toBe('running');
      expect(await phaseInList()).toBe('running');
      // A record whose phase was removed behind the driver's back (half-removed) reads as failed.
      await redis.hdel(fakeKeys(prefix, pool.id).phases, objectName(r.id));
      expect(await phaseInList()).toBe('failed');
    } finally {
      await new FakePool(redis, pool.id, prefix).reset();
    }
  });
});
