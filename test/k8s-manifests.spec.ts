import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

const dir = path.resolve('k8s');
const documents = readdirSync(dir)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    yaml.loadAll(readFileSync(path.join(dir, file), 'utf8')).map((doc) => ({ file, doc: doc as any })),
  );
const byName = (kind: string, name: string) =>
  documents.find((d) => d.doc.kind === kind && d.doc.metadata.name === name)?.doc;
const IMAGE = /^registry\.example\.gov\.cn\/govcloud\/govcloud:\d+\.\d+\.\d+$/;

describe('k8s manifests', () => {
  it('all parse and name a kind, an apiVersion and a name', () => {
    expect(documents.length).toBeGreaterThanOrEqual(6);
    for (const { doc } of documents) {
      expect(doc).toMatchObject({
        apiVersion: expect.any(String),
        kind: expect.any(String),
        metadata: { name: expect.any(String) },
      });
    }
  });

  it('every container names the image, resources and config', () => {
    const workloads = documents.filter((d) => ['Deployment', 'Job'].includes(d.doc.kind));
    expect(workloads.map((d) => d.doc.metadata.name).sort()).toEqual([
      'govcloud-api',
      'govcloud-migrate',
      'govcloud-worker',
    ]);
    for (const { doc } of workloads) {
      for (const container of doc.spec.template.spec.containers) {
        expect(container.image).toMatch(IMAGE);
        expect(container.resources.requests).toBeDefined();
        expect(container.resources.limits).toBeDefined();
        expect(container.envFrom).toEqual(
          expect.arrayContaining([
            { configMapRef: { name: 'govcloud-config' } },
            { secretRef: { name: 'govcloud-secrets' } },
          ]),
        );
      }
    }
  });

  it('the API runs two replicas probed on /healthz and /readyz behind a Service', () => {
    const api = byName('Deployment', 'govcloud-api');
    expect(api.spec.replicas).toBe(2);
    const [container] = api.spec.template.spec.containers;
    expect(container.args).toEqual(['api']);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    const service = byName('Service', 'govcloud-api');
    expect(service.spec.selector).toEqual(api.spec.selector.matchLabels);
  });

  it('the worker and the migration job run the same image with their own role', () => {
    expect(byName('Deployment', 'govcloud-worker').spec.template.spec.containers[0].args).toEqual(['worker']);
    expect(byName('Job', 'govcloud-migrate').spec.template.spec.containers[0].args).toEqual(['migrate']);
  });

  it('the ConfigMap carries only settings the config validates', async () => {
    const { AppConfig } = await import('../src/config/config.js');
    const known = Object.keys(new AppConfig());
    const config = byName('ConfigMap', 'govcloud-config');
    for (const key of Object.keys(config.data)) expect(known).toContain(key);
  });
});
