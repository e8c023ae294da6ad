import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kubeRequest, type KubeRequest } from './support/fake-kube/request.js';
import { FakeKubeApiServer } from './support/fake-kube/server.js';

/**
 * What the fake kube-apiserver does where test/fixtures/kube-apiserver-v1.28 has no recording: which
 * patch types each kind takes, JSON patch, and the fields an update may not change. Answers worded as
 * kube-apiserver v1.28's code words them, so that a driver change the real server would refuse fails here.
 */
const NS = '/api/v1/namespaces/dept-fake';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/dept-fake/deployments';
const SERVICES = `${NS}/services`;
const VMS = '/apis/kubevirt.io/v1/namespaces/dept-fake/virtualmachines';
const JSON_PATCH = 'application/json-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

const deployment = (app: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app } },
    template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
  },
});

describe('the fake kube-apiserver where the recordings stop', () => {
  let fake: FakeKubeApiServer;
  const call = (request: KubeRequest) => kubeRequest(fake, { token: 'admin', ...request });

  beforeAll(async () => {
    fake = await FakeKubeApiServer.start({ token: 'admin', controllers: false });
    await call({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'dept-fake' } } });
    await call({ method: 'POST', path: DEPLOYMENTS, body: deployment('web') });
    await call({
      method: 'POST',
      path: SERVICES,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    await call({
      method: 'POST',
      path: VMS,
      body: {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachine',
        metadata: { name: 'vm' },
        spec: { runStrategy: 'Always' },
      },
    });
  });
  afterAll(() => fake.close());

  it('refuses a strategic merge patch on a custom resource with 415, listing the three types it takes', async () => {
    const answer = await call({
      method: 'PATCH',
      path: `${VMS}/vm`,
      body: { spec: { runStrategy: 'Halted' } },
      contentType: STRATEGIC,
    });
    expect(answer).toEqual({
      status: 415,
      body: expect.objectContaining({
        reason: 'UnsupportedMediaType',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      }),
    });
  });

  it('takes a strategic merge patch on a built-in kind, and lists it among the four types a plain JSON body is refused for', async () => {
    const patched = await call({
      method: 'PATCH',
      path: `${DEPLOYMENTS}/web`,
      body: { spec: { replicas: 2 } },
      contentType: STRATEGIC,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.spec.replicas).toBe(2);
    const refused = await call({
      method: 'PATCH',
      path: `${DEPLOYMENTS}/web`,
      body: { spec: { replicas: 3 } },
    });
    expect(refused.status).toBe(415);
    expect(refused.body.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
  });

  it('applies a JSON patch to a custom resource, a spec change that raises its generation', async () => {
    const before = await call({ method: 'GET', path: `${VMS}/vm` });
    const answer = await call({
      method: 'PATCH',
      path: `${VMS}/vm`,
      contentType: JSON_PATCH,
      body: [
        { op: 'test', path: '/spec/runStrategy', value: 'Always' },
        { op: 'replace', path: '/spec/runStrategy', value: 'Halted' },
        { op: 'add', path: '/metadata/labels', value: { tier: 'gold' } },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.spec.runStrategy).toBe('Halted');
    expect(answer.body.metadata.labels).toEqual({ tier: 'gold' });
    expect(answer.body.metadata.generation).toBe(before.body.metadata.generation + 1);
    expect(Number(answer.body.metadata.resourceVersion)).toBeGreaterThan(
      Number(before.body.metadata.resourceVersion),
    );
  });

  it('answers a JSON patch that does not apply with 422, one that is not a list with 400, one on nothing with 404', async () => {
    const failedTest = await call({
      method: 'PATCH',
      path: `${VMS}/vm`,
      contentType: JSON_PATCH,
      body: [{ op: 'test', path: '/spec/runStrategy', value: 'Manual' }],
    });
    expect(failedTest).toEqual({
      status: 422,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server rejected our request due to an error in our request',
        reason: 'Invalid',
        details: {},
        code: 422,
      },
    });
    const missingPath = await call({
      method: 'PATCH',
      path: `${DEPLOYMENTS}/web`,
      contentType: JSON_PATCH,
      body: [{ op: 'replace', path: '/spec/paused/deeper', value: true }],
    });
    expect(missingPath.status).toBe(422);
    const notAList = await call({
      method: 'PATCH',
      path: `${VMS}/vm`,
      contentType: JSON_PATCH,
      body: { spec: { runStrategy: 'Always' } },
    });
    expect(notAList.status).toBe(400);
    expect(notAList.body).toMatchObject({
      reason: 'BadRequest',
      message: expect.stringContaining('jsonpatch.Patch'),
    });
    const nothing = await call({
      method: 'PATCH',
      path: `${VMS}/none`,
      contentType: JSON_PATCH,
      body: [{ op: 'replace', path: '/spec/runStrategy', value: 'Always' }],
    });
    expect(nothing).toMatchObject({ status: 404, body: { reason: 'NotFound' } });
    expect((await call({ method: 'GET', path: `${VMS}/vm` })).body.spec.runStrategy).toBe('Halted');
  });

  it("refuses to change a Deployment's selector, by PUT or by patch", async () => {
    const current = (await call({ method: 'GET', path: `${DEPLOYMENTS}/web` })).body;
    const moved = deployment('api');
    const put = await call({
      method: 'PUT',
      path: `${DEPLOYMENTS}/web`,
      body: { ...moved, metadata: current.metadata },
    });
    expect(put.status).toBe(422);
    expect(put.body).toMatchObject({
      reason: 'Invalid',
      message:
        'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"api"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      details: {
        name: 'web',
        group: 'apps',
        kind: 'Deployment',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message:
              'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"api"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
            field: 'spec.selector',
          },
        ],
      },
    });
    const patched = await call({
      method: 'PATCH',
      path: `${DEPLOYMENTS}/web`,
      contentType: 'application/merge-patch+json',
      body: moved,
    });
    expect(patched.status).toBe(422);
    // A new template under the same selector is the change a rollout is made of.
    const image = await call({
      method: 'PUT',
      path: `${DEPLOYMENTS}/web`,
      body: {
        ...current,
        spec: {
          ...current.spec,
          template: {
            ...current.spec.template,
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      },
    });
    expect(image.status).toBe(200);
    expect(image.body.metadata.generation).toBe(current.metadata.generation + 1);
  });

  it("keeps a Service's cluster IP through an update that leaves it out, and refuses one that changes it", async () => {
    const current = (await call({ method: 'GET', path: `${SERVICES}/web` })).body;
    const { clusterIP, clusterIPs, ...rest } = current.spec;
    const kept = await call({
      method: 'PUT',
      path: `${SERVICES}/web`,
      body: { ...current, spec: { ...rest, ports: [{ port: 8080 }] } },
    });
    expect(kept.status).toBe(200);
    expect(kept.body.spec).toMatchObject({
      clusterIP,
      clusterIPs,
      ports: [expect.objectContaining({ port: 8080 })],
    });
    const changed = await call({
      method: 'PUT',
      path: `${SERVICES}/web`,
      body: { ...kept.body, spec: { ...rest, clusterIP: '10.96.9.9', ports: [{ port: 8080 }] } },
    });
    expect(changed.status).toBe(422);
    expect(changed.body.message).toBe(
      'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.9.9"}: may not change once set',
    );
  });
});
