import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { FakeKubeApiServer } from '../../../test/support/fake-kube/server.js';
import { createDriver } from '../index.js';
import { LABEL_DEPARTMENT, LABEL_RESOURCE_ID, objectName } from '../naming.js';
import { aResource, driverContract } from '../testing/driver-contract.js';
import type { DriverResource } from '../types.js';
import { deploymentSpec } from './deployment.js';
import { isConflict, withConflictRetry } from './kube-client.js';
import { KubernetesDriver } from './kubernetes-driver.js';
import { QUOTA_NAME } from './namespaces.js';
import { listAll } from './paging.js';

const pool = (server: FakeKubeApiServer, token?: string) => ({
  id: randomUUID(),
  type: 'kubernetes' as const,
  connection: server.kubeconfig(token),
});
const deploymentsOf = (server: FakeKubeApiServer, r: DriverResource) =>
  server.objects('deployments').filter((d) => d.metadata.labels?.[LABEL_RESOURCE_ID] === r.id);

driverContract('kubernetes on the fake kube-apiserver', 'container', async () => {
  const server = await FakeKubeApiServer.start({ controllers: true });
  return {
    driver: createDriver(pool(server)),
    countObjects: async (r) => deploymentsOf(server, r).length,
    specOf: async (r) => {
      const [d] = deploymentsOf(server, r);
      return d && deploymentSpec(d);
    },
    labelsOf: async (r) => deploymentsOf(server, r)[0]?.metadata.labels,
    close: () => server.close(),
  };
});

describe('kubernetes driver', () => {
  let server: FakeKubeApiServer;
  let driver: KubernetesDriver;
  beforeAll(async () => {
    server = await FakeKubeApiServer.start({
      forbiddenUsers: { 'nobody-token': 'system:serviceaccount:x:nobody' },
    });
    driver = new KubernetesDriver(pool(server), { pageSize: 2 });
  });
  afterAll(() => server.close());

  it('makes a labelled namespace per department with a ResourceQuota mirroring its limits', async () => {
    const department = {
      id: randomUUID(),
      code: 'gaj',
      quota: { vcpu: 8, memoryGiB: 16, storageGiB: 100, instances: 10 },
    };
    const r = aResource('container', {
      department,
      spec: { vcpu: 0.5, memoryGiB: 0.5, storageGiB: 0, image: 'nginx:1.27', ports: [80, 443], replicas: 2 },
    });
    expect(await driver.ensure(r)).toMatchObject({ name: objectName(r.id), department: 'gaj' });
    const [namespace] = server.objects('namespaces').filter((n) => n.metadata.name === 'gc-gaj');
    expect(namespace.metadata.labels).toMatchObject({
      [LABEL_DEPARTMENT]: 'gaj',
      'app.kubernetes.io/managed-by': 'govcloud',
    });
    const [quota] = server.objects('resourcequotas', 'gc-gaj');
    expect(quota.metadata.name).toBe(QUOTA_NAME);
    // The server answers canonical quantities: 8000m is "8", 16384Mi is "16Gi".
    expect(quota.spec.hard).toEqual({
      'requests.cpu': '8',
      'requests.memory': '16Gi',
      'requests.storage': '100Gi',
      'count/deployments.apps': '10',
      'count/virtualmachines.kubevirt.io': '10',
    });
    const [deployment] = deploymentsOf(server, r);
    expect(deployment.metadata.namespace).toBe('gc-gaj');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].resources.limits).toEqual({
      cpu: '500m',
      memory: '512Mi',
    });
    const [service] = server.objects('services', 'gc-gaj');
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([80, 443]);
    expect(service.spec.selector).toEqual({ [LABEL_RESOURCE_ID]: r.id });

    // An unchanged quota costs no call; a changed one is written over.
    const calls = () => server.requests.filter((q) => q.path.includes('/resourcequotas')).length;
    const before = calls();
    await driver.ensure(r);
    expect(calls()).toBe(before);
    const raised = { ...r, department: { ...department, quota: { ...department.quota, vcpu: 12 } } };
    await driver.ensure(raised);
    expect(server.objects('resourcequotas', 'gc-gaj')[0].spec.hard['requests.cpu']).toBe('12');
    // Ports removed: the Service goes.
    await driver.ensure({ ...raised, spec: { ...raised.spec, ports: [] } });
    expect(server.objects('services', 'gc-gaj')).toEqual([]);
    await driver.delete(r);
    expect(deploymentsOf(server, r)).toEqual([]);
  });

  it('concurrent ensures of a new resource: the losers get 409 AlreadyExists and adopt the winner', async () => {
    const r = aResource('container', { spec: { ...aResource('container').spec, ports: [] } });
    await driver.ensure(aResource('container')); // the namespace exists, so the race is on the Deployment
    const before = server.requests.length;
    await Promise.all([driver.ensure(r), driver.ensure(r), driver.ensure(r)]);
    const creates = server.requests
      .slice(before)
      .filter((c) => c.method === 'POST' && c.path.endsWith('/deployments'));
    expect(creates.map((c) => c.status).sort()).toEqual([201, 409, 409]);
    expect(deploymentsOf(server, r)).toHaveLength(1);
  });

  it('reports a Deployment running once the controller made it available', async () => {
    const r = aResource('container');
    await driver.ensure(r);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await driver.ensure(r)).phase).toBe('running');
    expect((await driver.list()).find((o) => o.resourceId === r.id)?.phase).toBe('running');
  });

  it('lists with one label-selected call per page, following continue tokens', async () => {
    const department = { id: randomUUID(), code: 'paging' };
    const made = [
      aResource('container', { department }),
      aResource('container', { department }),
      aResource('container', { department }),
    ];
    for (const r of made) await driver.ensure(r);
    const before = server.requests.length;
    const listed = await driver.list();
    expect(made.every((r) => listed.some((o) => o.resourceId === r.id))).toBe(true);
    const calls = server.requests.slice(before);
    expect(calls.every((c) => c.method === 'GET' && c.path === '/apis/apps/v1/deployments')).toBe(true);
    expect(calls.length).toBe(Math.ceil(server.objects('deployments').length / 2));
    expect(decodeURIComponent(calls[0].query)).toContain(
      'labelSelector=app.kubernetes.io/managed-by=govcloud,govcloud.io/resource-id',
    );
    expect(calls.slice(1).every((c) => c.query.includes('continue='))).toBe(true);
  });

  it('restarts a list whose continue token expired (410)', async () => {
    let compacted = false;
    const items = await listAll('deployments', 1, (page) => {
      if (page._continue && !compacted) {
        compacted = true;
        server.compact();
      }
      return driver.client.apps.listDeploymentForAllNamespaces(page);
    });
    expect(compacted).toBe(true);
    expect(items.length).toBe(server.objects('deployments').length);
  });

  it('replaces with the resourceVersion it read: a stale one is a 409 Conflict, retried after a re-read', async () => {
    const r = aResource('container');
    await driver.ensure(r);
    const name = objectName(r.id);
    const namespace = 'gc-contract-dept';
    const stale = await driver.client.apps.readNamespacedDeployment({ name, namespace });
    const fresh = await driver.client.apps.readNamespacedDeployment({ name, namespace });
    fresh.spec!.replicas = 3;
    await driver.client.apps.replaceNamespacedDeployment({ name, namespace, body: fresh });
    stale.spec!.replicas = 4;
    const error = await driver.client.apps
      .replaceNamespacedDeployment({ name, namespace, body: stale })
      .catch((e: unknown) => e);
    expect(isConflict(error)).toBe(true);
    let attempts = 0;
    await withConflictRetry('deployment', async () => {
      attempts++;
      const body =
        attempts === 1 ? stale : await driver.client.apps.readNamespacedDeployment({ name, namespace });
      body.spec!.replicas = 4;
      return driver.client.apps.replaceNamespacedDeployment({ name, namespace, body });
    });
    expect(attempts).toBe(2);
    expect(deploymentsOf(server, r)[0].spec.replicas).toBe(4);
    // ensure puts the spec back (replicas 1) over whatever version is there.
    await driver.ensure(r);
    expect(deploymentsOf(server, r)[0].spec.replicas).toBe(1);
  });

  it('classifies failures: 422 terminal, 5xx and 429 retryable, 401 and 403 terminal', async () => {
    const bad = aResource('container', { labels: { 'govcloud.io/system': 'not a label value!' } });
    await expect(driver.ensure(bad)).rejects.toMatchObject({ code: 'Invalid', retryable: false });
    server.failNext(1, 500);
    await expect(driver.list()).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
    server.failNext(1, 429);
    await expect(driver.list()).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
    const stranger = new KubernetesDriver(pool(server, 'wrong-token'));
    await expect(stranger.list()).rejects.toMatchObject({ code: 'Misconfigured', retryable: false });
    const nobody = new KubernetesDriver(pool(server, 'nobody-token'));
    await expect(nobody.list()).rejects.toMatchObject({ code: 'Forbidden', retryable: false });
    await expect(driver.ensure(aResource('vm'))).rejects.toMatchObject({ code: 'Invalid' });
    expect(() => createDriver({ id: 'p', type: 'kubernetes', connection: 'clusters: [' })).toThrow(
      /kubeconfig/,
    );
  });

  it('gives up on a hung API server after the request timeout', async () => {
    const impatient = new KubernetesDriver(pool(server), { timeoutMs: 200 });
    server.hangNext(1);
    await expect(impatient.list()).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
  });

  it('recreates the department namespace when it was deleted behind its back', async () => {
    const department = { id: randomUUID(), code: 'vanishing' };
    const r = aResource('container', { department });
    await driver.ensure(r);
    await driver.client.core.deleteNamespace({ name: 'gc-vanishing' });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the namespace finishes terminating
    expect(server.objects('namespaces').some((n) => n.metadata.name === 'gc-vanishing')).toBe(false);
    // The first attempt finds the namespace gone (retryable); the retry makes it again.
    await expect(driver.ensure(r)).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
    await driver.ensure(r);
    expect(deploymentsOf(server, r)).toHaveLength(1);
  });

  it('waits out a department namespace being deleted (retryable), then makes it again', async () => {
    // Namespaces that take their time to terminate, as real ones do while their content goes.
    const slow = await FakeKubeApiServer.start({ controllerDelayMs: 300 });
    try {
      const cached = new KubernetesDriver(pool(slow));
      const department = { id: randomUUID(), code: 'leaving', quota: { vcpu: 8 } };
      const r = aResource('container', { department });
      await cached.ensure(r);
      await cached.client.core.deleteNamespace({ name: 'gc-leaving' });
      // A new resource of the department's, while its namespace terminates.
      const next = aResource('container', { department });
      const retryable = {
        code: 'Unavailable',
        retryable: true,
        message: expect.stringMatching(/being deleted/),
      };
      // The driver that made it (the namespace cached) and a fresh one (finding it Terminating) alike.
      await expect(cached.ensure(next)).rejects.toMatchObject(retryable);
      await expect(new KubernetesDriver(pool(slow)).ensure(next)).rejects.toMatchObject(retryable);
      await new Promise((resolve) => setTimeout(resolve, 700));
      await cached.ensure(next);
      await cached.ensure(r);
      expect(slow.objects('resourcequotas', 'gc-leaving')).toHaveLength(1);
      expect([...deploymentsOf(slow, r), ...deploymentsOf(slow, next)]).toHaveLength(2);
    } finally {
      await slow.close();
    }
  });

  it('makes the namespace again when it vanished under a department quota the driver had written', async () => {
    const department = { id: randomUUID(), code: 'gone-quota', quota: { vcpu: 4 } };
    const r = aResource('container', { department });
    await driver.ensure(r);
    await driver.client.core.deleteNamespace({ name: 'gc-gone-quota' });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the namespace finishes terminating
    await expect(driver.ensure(r)).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
    await driver.ensure(r);
    expect(server.objects('resourcequotas', 'gc-gone-quota')).toHaveLength(1);
  });

  it('spaces its calls by the per-server rate limit', async () => {
    const limited = new KubernetesDriver(pool(server), { rateLimit: { qps: 20, burst: 1 } });
    const started = performance.now();
    await Promise.all([limited.list(), limited.list(), limited.list(), limited.list(), limited.list()]);
    // Pages of 250: one call per list; five calls at 20/s after a burst of one take at least 200 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });
});
