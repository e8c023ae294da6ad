// A container on a Kubernetes pool, through the API and the worker, against the project's fake
// kube-apiserver (test/support/fake-kube, which answers as the recorded v1.28 server does): the
// department's namespace holds a ResourceQuota mirroring what the department may use itself.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LABEL_RESOURCE_ID } from '../../libs/drivers/index.js';
import { QUOTA_NAME } from '../../libs/drivers/kubernetes/namespaces.js';
import { bearer, startApp, type TestApp } from '../support/harness.js';
import { FakeKubeApiServer } from '../support/fake-kube/server.js';
import { createPool, eventually, GENEROUS, grantQuota, untilState } from '../support/provisioning.js';
import { QuotaDriver } from '../support/quota.js';

describe('resources on a Kubernetes pool, through the API and the worker', () => {
  let t: TestApp;
  let server: FakeKubeApiServer;
  let token: string;
  let pool: { id: string };
  let unitId: string;

  beforeAll(async () => {
    t = await startApp({ api: true, worker: true });
    server = await FakeKubeApiServer.start();
    const tree = await t.world.city();
    await grantQuota(t, [tree.city, tree.district, tree.dept], GENEROUS);
    // The department hands part of its quota down to a unit of its own: that part is not its to use.
    const unit = await t.world.department('unit', tree.dept);
    unitId = unit.id;
    await new QuotaDriver(t).limits(unit.id, { vcpu: 10, memoryGiB: 40 });
    token = await t.world.token('dept-admin', tree.dept.id);
    pool = await createPool(t, await t.world.token('operator'), {
      type: 'kubernetes',
      connection: server.kubeconfig(),
      capacity: { vcpu: 64, memoryGiB: 256, storageGiB: 1000 },
    });
  });
  // The database is shared with the suites after this one: a pool left enabled would take their
  // containers to an API server that is gone.
  afterAll(async () => {
    if (t && pool) await t.dataSource.query('UPDATE pools SET enabled = false WHERE id = $1', [pool.id]);
    await t?.close();
    await server?.close();
  });

  const deploymentOf = (id: string) =>
    server.objects('deployments').find((d) => d.metadata.labels?.[LABEL_RESOURCE_ID] === id);

  it('request → running as a Deployment in the department’s namespace, under its quota → delete → gone', async () => {
    const res = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(token))
      .send({
        kind: 'container',
        name: '人口库-api',
        poolId: pool.id,
        spec: { vcpu: 2, memoryGiB: 4, storageGiB: 0, image: 'nginx:1.27', replicas: 2 },
      })
      .expect(202);
    const id = res.body.id as string;
    await untilState(t, token, id, 'running');
    const deployment = deploymentOf(id)!;
    expect(deployment.spec.replicas).toBe(2);
    const namespace = deployment.metadata.namespace as string;
    const [quota] = server.objects('resourcequotas', namespace);
    expect(quota.metadata.name).toBe(QUOTA_NAME);
    // GENEROUS less what the unit was handed: 1000 − 10 vCPU, 4000 − 40 GiB.
    expect(quota.spec.hard).toMatchObject({
      'requests.cpu': '990',
      'requests.memory': '3960Gi',
      'count/deployments.apps': String(GENEROUS.instances),
    });

    // More handed down, then a resize: the next driver call brings the namespace's quota along.
    await new QuotaDriver(t).limits(unitId, { vcpu: 20, memoryGiB: 40 });
    await t
      .http()
      .patch(`/api/v1/resources/${id}`)
      .set(bearer(token))
      .send({ spec: { vcpu: 3 } })
      .expect(202);
    await eventually('the quota and the Deployment updated', async () =>
      server.objects('resourcequotas', namespace)[0]?.spec.hard['requests.cpu'] === '980' &&
      deploymentOf(id)?.spec.template.spec.containers[0].resources.requests.cpu === '3'
        ? true
        : undefined,
    );

    await t.http().delete(`/api/v1/resources/${id}`).set(bearer(token)).expect(202);
    await untilState(t, token, id, 'deleted');
    expect(deploymentOf(id)).toBeUndefined();
  });
});
