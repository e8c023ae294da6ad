import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { FakeKubeApiServer } from '../../../test/support/fake-kube/server.js';
import { createDriver } from '../index.js';
import { LABEL_RESOURCE_ID, objectName } from '../naming.js';
import { aResource, driverContract } from '../testing/driver-contract.js';
import type { DriverResource } from '../types.js';
import { KubevirtDriver } from './kubevirt-driver.js';
import { virtualMachineSpec, type VirtualMachine } from './virtual-machine.js';

const pool = (server: FakeKubeApiServer) => ({
  id: randomUUID(),
  type: 'kubevirt' as const,
  connection: server.kubeconfig(),
});
const vmsOf = (server: FakeKubeApiServer, r: DriverResource) =>
  server
    .objects('virtualmachines')
    .filter((vm) => vm.metadata.labels?.[LABEL_RESOURCE_ID] === r.id) as VirtualMachine[];

driverContract('kubevirt on the fake kube-apiserver', 'vm', async () => {
  const server = await FakeKubeApiServer.start();
  return {
    driver: createDriver(pool(server)),
    countObjects: async (r) => vmsOf(server, r).length,
    specOf: async (r) => {
      const [vm] = vmsOf(server, r);
      return vm && virtualMachineSpec(vm);
    },
    labelsOf: async (r) => vmsOf(server, r)[0]?.metadata.labels,
    close: () => server.close(),
  };
});

describe('kubevirt driver', () => {
  let server: FakeKubeApiServer;
  let driver: KubevirtDriver;
  beforeAll(async () => {
    server = await FakeKubeApiServer.start();
    driver = new KubevirtDriver(pool(server));
  });
  afterAll(() => server.close());

  it('writes a VirtualMachine from the spec, in the department namespace, running', async () => {
    const r = aResource('vm', {
      department: { id: randomUUID(), code: 'tjj' },
      spec: { vcpu: 1.5, memoryGiB: 4, storageGiB: 20, image: 'quay.io/containerdisks/debian:12' },
    });
    await driver.ensure(r);
    const [vm] = vmsOf(server, r);
    expect(vm.metadata).toMatchObject({ name: objectName(r.id), namespace: 'gc-tjj' });
    expect(vm.spec.runStrategy).toBe('Always');
    expect(vm.spec.template.spec.domain).toMatchObject({ cpu: { cores: 2 }, memory: { guest: '4096Mi' } });
    expect(vm.spec.template.spec.volumes).toEqual([
      { name: 'root', containerDisk: { image: 'quay.io/containerdisks/debian:12' } },
      { name: 'data', emptyDisk: { capacity: '20Gi' } },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await driver.ensure(r)).phase).toBe('running');
  });

  it('stops and starts with a merge patch of runStrategy (a plain JSON patch would be refused with 415)', async () => {
    const r = aResource('vm');
    await driver.ensure(r);
    const before = server.requests.length;
    expect((await driver.stop(r)).phase).toBe('stopped');
    const [patch] = server.requests.slice(before);
    expect(patch).toMatchObject({ method: 'PATCH', contentType: 'application/merge-patch+json' });
    expect(vmsOf(server, r)[0].spec.runStrategy).toBe('Halted');
    await driver.start(r);
    expect(vmsOf(server, r)[0].spec.runStrategy).toBe('Always');
  });
});
