import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseLibvirtConnection } from '../../libs/drivers/index.js';
import { Pool } from '../../src/modules/provisioning/entities/pool.entity.js';
import { PoolsService } from '../../src/modules/provisioning/pools/pools.service.js';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';

const KUBECONFIG_SECRET = 'client-key-data: c2VjcmV0LWtleS1tYXRlcmlhbA==';

describe('pools', () => {
  let t: TestApp;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;

  beforeAll(async () => {
    t = await startApp();
    const tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  const create = (body: Record<string, unknown>, token = tokens.operator) =>
    t.http().post('/api/v1/pools').set(bearer(token)).send(body);

  const kubePool = () => ({
    name: unique('供应商池'),
    type: 'kubernetes',
    tier: 'provider',
    connection: `apiVersion: v1\n${KUBECONFIG_SECRET}`,
    capacity: { vcpu: 64, memoryGiB: 256, storageGiB: 2000 },
  });

  it('creates a pool, encrypts its connection at rest and never answers it', async () => {
    const res = await create(kubePool()).expect(201);
    expect(res.body).toMatchObject({
      type: 'kubernetes',
      tier: 'provider',
      capacity: { vcpu: 64, memoryGiB: 256, storageGiB: 2000, gpu: 0 },
      allocated: { vcpu: 0, memoryGiB: 0, storageGiB: 0, gpu: 0 },
      remaining: { vcpu: 64, memoryGiB: 256, storageGiB: 2000, gpu: 0 },
      enabled: true,
    });
    const everything = JSON.stringify([
      res.body,
      (await t.http().get(`/api/v1/pools/${res.body.id}`).set(bearer(tokens.deptAdmin)).expect(200)).body,
      (await t.http().get('/api/v1/pools').set(bearer(tokens.auditor)).expect(200)).body,
      (await t.http().get(`/api/v1/audit?targetId=${res.body.id}`).set(bearer(tokens.auditor)).expect(200))
        .body,
    ]);
    expect(everything).not.toContain('c2VjcmV0');
    expect(everything).not.toContain('connectionSealed');

    const [row] = await t.dataSource.query(`SELECT connection_sealed FROM pools WHERE id = $1`, [
      res.body.id,
    ]);
    expect(row.connection_sealed).toMatch(/^v1:/);
    expect(row.connection_sealed).not.toContain('c2VjcmV0');
    const connection = await t.app.get(PoolsService).connectionOf(res.body.id);
    expect(connection).toContain(KUBECONFIG_SECRET);
  });

  it('is run by operators only, and audited', async () => {
    for (const token of [tokens.deptAdmin, tokens.finance, tokens.auditor])
      await create(kubePool(), token).expect(403);
    const pool = (await create(kubePool()).expect(201)).body;
    await t
      .http()
      .patch(`/api/v1/pools/${pool.id}`)
      .set(bearer(tokens.operator))
      .send({ enabled: false, connection: 'apiVersion: v1\n# rotated' })
      .expect(200);
    const audit = await t
      .http()
      .get(`/api/v1/audit?targetId=${pool.id}`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
      'pool.create',
      'pool.update',
    ]);
    expect(await t.app.get(PoolsService).connectionOf(pool.id)).toContain('rotated');
  });

  it('raises capacity with a reason (server rooms call this when equipment joins the pool)', async () => {
    const pool = (await create(kubePool()).expect(201)).body;
    const res = await t
      .http()
      .post(`/api/v1/pools/${pool.id}/capacity`)
      .set(bearer(tokens.operator))
      .send({ amounts: { vcpu: 16, gpu: 2 }, reason: '市统计局机房关停，服务器并入资源池' })
      .expect(200);
    expect(res.body.capacity).toEqual({ vcpu: 80, memoryGiB: 256, storageGiB: 2000, gpu: 2 });
    const added = await t.dataSource.transaction((manager) =>
      t.app.get(PoolsService).addCapacity(manager, pool.id, { memoryGiB: 64 }, 'reuse'),
    );
    expect(added.remaining.memoryGiB).toBe(320);
    const audit = await t
      .http()
      .get(`/api/v1/audit?targetId=${pool.id}&limit=1`)
      .set(bearer(tokens.auditor))
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({ action: 'pool.capacity-add', after: { reason: 'reuse' } });
    await t
      .http()
      .post(`/api/v1/pools/${pool.id}/capacity`)
      .set(bearer(tokens.operator))
      .send({ amounts: { vcpu: -4 }, reason: 'x' })
      .expect(400);
  });

  it('refuses capacity below what is allocated', async () => {
    const pool = (await create(kubePool()).expect(201)).body;
    await t.dataSource
      .getRepository(Pool)
      .update({ id: pool.id }, { allocated: { vcpu: 10, memoryGiB: 0, storageGiB: 0, gpu: 0 } });
    const res = await t
      .http()
      .patch(`/api/v1/pools/${pool.id}`)
      .set(bearer(tokens.operator))
      .send({ capacity: { vcpu: 8, memoryGiB: 256, storageGiB: 2000 } })
      .expect(409);
    expect(res.body.message).toMatch(/^capacity\.vcpu/);
  });

  it('deletes an unused pool; a duplicate name is 409', async () => {
    const body = kubePool();
    const pool = (await create(body).expect(201)).body;
    await create(body).expect(409);
    await t.http().delete(`/api/v1/pools/${pool.id}`).set(bearer(tokens.operator)).expect(204);
    await t.http().get(`/api/v1/pools/${pool.id}`).set(bearer(tokens.operator)).expect(404);
  });

  describe("a libvirt pool's JSON connection", () => {
    const libvirt = (options: Record<string, unknown>) => ({
      ...kubePool(),
      type: 'libvirt',
      connection: JSON.stringify({ uri: 'qemu+ssh://ops@kvm-01/system', ...options }),
    });
    const stored = async (id: string) =>
      parseLibvirtConnection(await t.app.get(PoolsService).connectionOf(id));

    it('takes every driver option, so a stop need not wait the default 60 s; PATCH changes them', async () => {
      const options = {
        domainType: 'kvm',
        shutdownTimeoutMs: 5000,
        storagePool: 'default',
        volumeFormat: 'qcow2',
        commandTimeoutMs: 20_000,
      };
      const pool = (await create(libvirt(options)).expect(201)).body;
      expect(await stored(pool.id)).toEqual({ uri: 'qemu+ssh://ops@kvm-01/system', ...options });
      await t
        .http()
        .patch(`/api/v1/pools/${pool.id}`)
        .set(bearer(tokens.operator))
        .send({ connection: libvirt({ shutdownTimeoutMs: 0 }).connection })
        .expect(200);
      expect(await stored(pool.id)).toEqual({ uri: 'qemu+ssh://ops@kvm-01/system', shutdownTimeoutMs: 0 });
      const refused = await t
        .http()
        .patch(`/api/v1/pools/${pool.id}`)
        .set(bearer(tokens.operator))
        .send({ connection: libvirt({ shutdownTimeoutMs: -1 }).connection })
        .expect(400);
      expect(refused.body.message).toMatch(/^connection\.shutdownTimeoutMs: /);
      expect((await stored(pool.id)).shutdownTimeoutMs).toBe(0);
    });

    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['negative shutdownTimeoutMs', { shutdownTimeoutMs: -1 }, 'shutdownTimeoutMs'],
      ['fractional shutdownTimeoutMs', { shutdownTimeoutMs: 1.5 }, 'shutdownTimeoutMs'],
      ['shutdownTimeoutMs as text', { shutdownTimeoutMs: '5s' }, 'shutdownTimeoutMs'],
      ['shutdownTimeoutMs over ten minutes', { shutdownTimeoutMs: 600_001 }, 'shutdownTimeoutMs'],
      ['commandTimeoutMs under a second', { commandTimeoutMs: 10 }, 'commandTimeoutMs'],
      ['unknown volumeFormat', { volumeFormat: 'vmdk' }, 'volumeFormat'],
      ['unknown domainType', { domainType: 'xen' }, 'domainType'],
      ['storagePool with a slash', { storagePool: '../etc' }, 'storagePool'],
      ['misspelt option', { shutdownTimeout: 5000 }, 'shutdownTimeout'],
      ['uri missing', { uri: undefined }, 'uri'],
      ['uri running a local program (ext transport)', { uri: 'qemu+ext:///system?command=/tmp/x.sh' }, 'uri'],
      ['uri naming the ssh program', { uri: 'qemu+ssh://kvm-01/system?command=/tmp/x.sh' }, 'uri'],
    ];
    it.each(cases)('400 for %s, naming it', async (_label, options, field) => {
      const res = await create(libvirt(options)).expect(400);
      expect(res.body.message).toMatch(new RegExp(`^connection\\.${field}: `));
    });

    it('400 for JSON that is not an object', async () => {
      const res = await create({ ...libvirt({}), connection: '{"uri" 1}' }).expect(400);
      expect(res.body.message).toMatch(/^connection: /);
    });
  });

  describe('bad input answers 400 naming the field', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['bad type', { type: 'vmware' }, /type/],
      ['bad tier', { tier: 'cheap' }, /tier/],
      ['negative capacity', { capacity: { vcpu: -1, memoryGiB: 1, storageGiB: 1 } }, /capacity\.vcpu/],
      ['fractional capacity', { capacity: { vcpu: 1.5, memoryGiB: 1, storageGiB: 1 } }, /capacity\.vcpu/],
      ['unknown capacity', { capacity: { vcpu: 1, memoryGiB: 1, storageGiB: 1, disks: 3 } }, /disks/],
      ['connection not a string', { connection: { uri: 'qemu:///system' } }, /connection/],
      ['kubeconfig blank', { connection: '  ' }, /connection/],
      ['libvirt uri bad', { type: 'libvirt', connection: 'not a uri' }, /connection/],
      ['fake connection bad', { type: 'fake', connection: '{"latencyMs":-1}' }, /connection/],
      ['blank name', { name: ' ' }, /name/],
    ];
    it.each(cases)('%s', async (_label, patch, field) => {
      const res = await create({ ...kubePool(), ...patch }).expect(400);
      expect(res.body.message).toMatch(field);
    });
  });
});
