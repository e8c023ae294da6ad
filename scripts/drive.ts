// Drive one pool driver by hand, outside the control plane: against a real cluster (a kubeconfig), a
// KVM host (a libvirt URI) or a fake pool (Redis). Nothing is written to govcloud's database.
//
//   npm run drive -- <kubernetes|kubevirt|libvirt|fake> <ensure|start|stop|delete|list> [options]
//
// See the README section "Driving a pool by hand" for the options and examples.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  createDriver,
  DriverError,
  POOL_TYPES,
  type DriverResource,
  type ObservedObject,
  type PoolType,
} from '../libs/drivers/index.js';

const USAGE = `用法 usage: npm run drive -- <kubernetes|kubevirt|libvirt|fake> <ensure|start|stop|delete|list> [options]
  --kubeconfig <file>   kubernetes/kubevirt: kubeconfig (default $KUBECONFIG, then ~/.kube/config)
  --connection <text>   the pool's connection as stored (libvirt URI or JSON, fake JSON); overrides --kubeconfig
  --redis <url>         fake pools: where their state lives
  --id <id>             resource id (the object is gc-<id>); required except for list
  --department <code>   department code (namespace gc-<code>), default demo
  --vcpu 1 --memory 1 --storage 0 --gpu 0 --image nginx:1.27 --replicas 1 --ports 80,443
  --label key=value     repeatable
  --quota-vcpu N --quota-memory N --quota-storage N --quota-instances N   mirror a department quota (kubernetes/kubevirt)`;

const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    kubeconfig: { type: 'string' },
    connection: { type: 'string' },
    redis: { type: 'string' },
    id: { type: 'string' },
    department: { type: 'string', default: 'demo' },
    vcpu: { type: 'string', default: '1' },
    memory: { type: 'string', default: '1' },
    storage: { type: 'string', default: '0' },
    gpu: { type: 'string' },
    image: { type: 'string', default: 'nginx:1.27' },
    replicas: { type: 'string' },
    ports: { type: 'string' },
    label: { type: 'string', multiple: true, default: [] },
    'quota-vcpu': { type: 'string' },
    'quota-memory': { type: 'string' },
    'quota-storage': { type: 'string' },
    'quota-instances': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const [type, command] = positionals as [PoolType, string];
if (
  values.help ||
  !POOL_TYPES.includes(type) ||
  !['ensure', 'start', 'stop', 'delete', 'list'].includes(command)
) {
  fail(USAGE);
}

const number = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fail(`--${name}: 须为非负数 must be a number ≥ 0`);
};

function connection(): string {
  if (values.connection !== undefined) return values.connection;
  if (type === 'kubernetes' || type === 'kubevirt') {
    const file =
      values.kubeconfig ??
      process.env.KUBECONFIG?.split(path.delimiter)[0] ??
      path.join(homedir(), '.kube/config');
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return fail(`读不到 kubeconfig cannot read the kubeconfig: ${file}`);
    }
  }
  if (type === 'libvirt') return 'qemu:///system';
  return '';
}

function resource(): DriverResource {
  if (!values.id) fail('--id: 必填 required for this command');
  const quota = {
    vcpu: number('quota-vcpu', values['quota-vcpu']),
    memoryGiB: number('quota-memory', values['quota-memory']),
    storageGiB: number('quota-storage', values['quota-storage']),
    instances: number('quota-instances', values['quota-instances']),
  };
  const hasQuota = Object.values(quota).some((v) => v !== undefined);
  return {
    id: values.id!,
    kind: type === 'kubernetes' || type === 'fake' ? 'container' : 'vm',
    department: { id: values.department!, code: values.department!, ...(hasQuota ? { quota } : {}) },
    spec: {
      vcpu: number('vcpu', values.vcpu)!,
      memoryGiB: number('memory', values.memory)!,
      storageGiB: number('storage', values.storage)!,
      gpu: number('gpu', values.gpu),
      image: values.image!,
      replicas: number('replicas', values.replicas),
      ports: values.ports ? values.ports.split(',').map((p) => number('ports', p)!) : undefined,
    },
    labels: Object.fromEntries(
      values.label!.map((pair) => {
        const at = pair.indexOf('=');
        return at > 0
          ? [pair.slice(0, at), pair.slice(at + 1)]
          : fail(`--label ${pair}: 须为 key=value expected key=value`);
      }),
    ),
  };
}

const show = (o: ObservedObject) =>
  console.log(`${o.name}\t${o.phase}\t${o.department ?? ''}${o.detail ? `\t${o.detail}` : ''}`);

const driver = createDriver({ id: 'drive', type, connection: connection() }, { redis: values.redis });
try {
  if (command === 'list') {
    const objects = await driver.list();
    objects.forEach(show);
    console.log(`共 ${objects.length} 个对象 ${objects.length} object(s)`);
  } else if (command === 'delete') {
    const r = resource();
    await driver.delete(r);
    console.log(`已删除 deleted gc-${r.id}`);
  } else {
    const r = resource();
    show(await driver[command as 'ensure' | 'start' | 'stop'](r));
  }
} catch (error) {
  if (!(error instanceof DriverError)) throw error;
  console.error(
    `失败 failed: ${error.code}${error.retryable ? ' (可重试 retryable)' : ''}: ${error.message}`,
  );
  process.exitCode = 1;
} finally {
  await driver.close();
}
