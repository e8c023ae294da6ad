import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FakeKubeApiServer } from './support/fake-kube/server.js';

const root = path.join(import.meta.dirname, '..');

/** `npm run drive` as an operator runs it by hand, against a cluster given by a kubeconfig file. */
describe('scripts/drive.ts', () => {
  let server: FakeKubeApiServer;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    server = await FakeKubeApiServer.start();
    dir = mkdtempSync(path.join(tmpdir(), 'drive-'));
    kubeconfig = path.join(dir, 'config');
    writeFileSync(kubeconfig, server.kubeconfig());
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const drive = async (...args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', './scripts/register.mjs', 'scripts/drive.ts', ...args],
        { cwd: root, env: { ...process.env, KUBECONFIG: kubeconfig } },
      );
      return { code: 0, stdout, stderr: '' };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('ensures, stops, lists and deletes a container on the cluster of $KUBECONFIG', async () => {
    const id = randomUUID();
    const ensured = await drive(
      'kubernetes',
      'ensure',
      '--id',
      id,
      '--department',
      'gaj',
      '--ports',
      '80',
      '--label',
      'system=oa',
      '--quota-vcpu',
      '8',
    );
    expect(ensured.stdout).toMatch(new RegExp(`^gc-${id}\\t(pending|running)\\tgaj`));
    expect(server.objects('resourcequotas', 'gc-gaj')[0].spec.hard['requests.cpu']).toBe('8');
    expect(server.objects('deployments', 'gc-gaj')[0].metadata.labels.system).toBe('oa');
    expect((await drive('kubernetes', 'stop', '--id', id, '--department', 'gaj')).stdout).toContain(
      '\tstopped\t',
    );
    const listed = await drive('kubernetes', 'list');
    expect(listed.stdout).toContain(`gc-${id}\tstopped\tgaj`);
    expect(listed.stdout).toContain('1 object(s)');
    expect((await drive('kubernetes', 'delete', '--id', id, '--department', 'gaj')).stdout).toContain(
      `deleted gc-${id}`,
    );
    expect(server.objects('deployments', 'gc-gaj')).toEqual([]);
  });

  it('says what failed, and exits non-zero', async () => {
    const missing = await drive('kubernetes', 'start', '--id', randomUUID());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NotFound');
    const usage = await drive('kubernetes', 'reboot');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage');
  });
});
