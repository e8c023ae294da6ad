import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { kubeRequest } from './support/fake-kube/request.js';
import { FakeKubeApiServer } from './support/fake-kube/server.js';

/**
 * Replays the recorded exchanges with a real kube-apiserver v1.28 (test/fixtures/kube-apiserver-v1.28)
 * against the fake one, in order, and compares what each answered.
 */
const dir = path.join(import.meta.dirname, 'fixtures/kube-apiserver-v1.28');
const fixtures = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...JSON.parse(readFileSync(path.join(dir, file), 'utf8')) }));

type Obj = Record<string, any>;
interface Fixture {
  file: string;
  request: { method: string; path: string; body: unknown; contentType?: string | null; auth?: string };
  status: number;
  response: Obj;
}

const ADMIN = 'replay-admin';
const NOBODY = 'replay-nobody';

/** Without what a real server fills in differently on every run; presence of those is checked apart. */
function normalize(value: Obj, file: string): Obj {
  const copy = structuredClone(value);
  const strip = (o: Obj | undefined) => {
    if (!o) return;
    for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'managedFields']) {
      delete o[key];
    }
  };
  strip(copy.metadata);
  if (copy.details) delete copy.details.uid;
  if (copy.metadata?.continue) {
    // The token is the same encoding; what it points at is compared, not the revision inside.
    const { v, start } = JSON.parse(Buffer.from(copy.metadata.continue, 'base64url').toString('utf8'));
    copy.metadata.continue = { v, start };
  }
  for (const item of copy.items ?? []) {
    strip(item.metadata);
    // Written by kube-controller-manager, which the replay runs without.
    if (file.startsWith('10') || file.startsWith('11')) {
      delete item.status;
      delete item.metadata.annotations;
    }
  }
  return copy;
}

function send(fake: FakeKubeApiServer, fixture: Fixture, pathOverride?: string) {
  const { method, body, contentType, auth } = fixture.request;
  const token = auth === 'none' ? undefined : auth?.startsWith('service account') ? NOBODY : ADMIN;
  return kubeRequest(fake, {
    method,
    path: pathOverride ?? fixture.request.path,
    body,
    contentType: contentType ?? undefined,
    token,
  });
}

describe('the fake kube-apiserver answers as the recorded v1.28 one', () => {
  let fake: FakeKubeApiServer;
  let lastContinue: string | undefined;
  beforeAll(async () => {
    fake = await FakeKubeApiServer.start({
      token: ADMIN,
      forbiddenUsers: { [NOBODY]: 'system:serviceaccount:dept-demo:nobody' },
      controllers: false,
    });
  });
  afterAll(() => fake.close());

  it('has the recordings to replay', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  for (const fixture of fixtures as Fixture[]) {
    it(`${fixture.file}: ${fixture.request.method} ${fixture.request.path.slice(0, 80)} → ${fixture.status}`, async () => {
      // The continue token names the fake's own revision: replay the one it handed out on the page before.
      const override =
        fixture.request.path.includes('continue=') && lastContinue
          ? fixture.request.path.replace(/continue=[^&]+/, `continue=${lastContinue}`)
          : undefined;
      const answer = await send(fake, fixture, override);
      lastContinue = answer.body.metadata?.continue;
      expect(answer.status).toBe(fixture.status);
      expect(normalize(answer.body, fixture.file)).toEqual(normalize(fixture.response, fixture.file));
      // What normalize set aside must still be there when the real server had it.
      for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp']) {
        if (fixture.response.metadata?.[key] !== undefined) expect(answer.body.metadata?.[key]).toBeDefined();
      }
      // The deleted object's uid, as the real server gives it: a UUID.
      if (fixture.response.details?.uid)
        expect(answer.body.details?.uid).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
      if (fixture.response.metadata?.continue)
        expect(answer.body.metadata.continue).toMatch(/^[A-Za-z0-9_-]+$/);
    });
  }
});
