import { describe, expect, it } from '@jest/globals';
import { screen, waitFor } from '@testing-library/react';
import { mockApi, type Call } from '../../test/api-mock';
import { fill, renderAt, signIn, user } from '../../test/render';

const amounts = (n: number) => ({ vcpu: n, memoryGiB: n, storageGiB: n, gpu: n, publicIp: n, instances: n });
const QUOTA = {
  departmentId: 'd1',
  limits: amounts(100),
  used: { ...amounts(0), vcpu: 90 },
  allocatedToChildren: amounts(0),
  available: { ...amounts(100), vcpu: 10 },
};

function fakeApi(onCreate: (call: Call) => { status: number; body: unknown }) {
  return mockApi((call) => {
    if (call.path === '/departments/d1/quota') return { body: QUOTA };
    if (call.path === '/pools')
      return { body: [{ id: 'p1', name: '主资源池', type: 'fake', tier: 'provider', enabled: true }] };
    if (call.method === 'POST' && (call.path === '/resources' || call.path === '/resources/bulk'))
      return onCreate(call);
    if (call.path.startsWith('/resources?')) return { body: { items: [], total: 0 } };
    return undefined;
  });
}

async function fillVm() {
  fill(await screen.findByLabelText('名称'), '人口库-db-01');
  fill(screen.getByLabelText('镜像'), 'debian-12');
}

describe('request a resource', () => {
  it('sends the spec with an idempotency key and shows what quota is left', async () => {
    signIn();
    const calls = fakeApi(({ body }) => ({ status: 202, body: { ...(body as object), id: 'r1' } }));
    renderAt('/resources/new');
    await fillVm();
    expect((await screen.findByText('10')).closest('[data-dimension]')?.getAttribute('data-dimension')).toBe(
      'vcpu',
    );
    await user.click(screen.getByRole('button', { name: '提 交' }));
    await screen.findByText('已提交申请：人口库-db-01');
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({
      kind: 'vm',
      name: '人口库-db-01',
      spec: { vcpu: 2, memoryGiB: 4, storageGiB: 40, gpu: 0, image: 'debian-12' },
    });
    const fetched = (globalThis.fetch as unknown as { mock: { calls: [string, RequestInit][] } }).mock.calls;
    const headers = fetched.find(([, init]) => init?.method === 'POST')![1].headers as Record<string, string>;
    expect(headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
    await screen.findByText('我的资源', { selector: '.ant-card-head-title' });
  });

  it('sends a count above one as a bulk request, and weighs it against the quota left', async () => {
    signIn();
    const calls = fakeApi(({ body }) => ({
      status: 202,
      body: { items: [1, 2, 3].map((i) => ({ ...(body as object), id: `r${i}`, name: `人口库-db-0${i}` })) },
    }));
    renderAt('/resources/new');
    await fillVm();
    const vcpuLeft = () => document.querySelector('[data-dimension="vcpu"] .ant-progress');
    expect(vcpuLeft()?.className).not.toContain('exception');
    // 6 × 2 vCPU is more than the 10 left; 3 × 2 is not.
    fill(screen.getByLabelText('数量'), '6');
    await waitFor(() => expect(vcpuLeft()?.className).toContain('exception'));
    fill(screen.getByLabelText('数量'), '3');
    await waitFor(() => expect(vcpuLeft()?.className).not.toContain('exception'));
    await user.click(screen.getByRole('button', { name: '提 交' }));
    await screen.findByText('已提交 3 个资源的申请：人口库-db-01 等');
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/resources/bulk');
    expect(post.body).toEqual({
      kind: 'vm',
      name: '人口库-db-01',
      count: 3,
      spec: { vcpu: 2, memoryGiB: 4, storageGiB: 40, gpu: 0, image: 'debian-12' },
    });
  });

  it('asks for replicas for a container only', async () => {
    signIn();
    const calls = fakeApi(({ body }) => ({ status: 202, body: { ...(body as object), id: 'r1' } }));
    renderAt('/resources/new');
    expect(await screen.findByLabelText('名称')).toBeTruthy();
    expect(screen.queryByLabelText('副本数')).toBeNull();
    await user.click(screen.getByText('容器'));
    const replicas = await screen.findByLabelText('副本数');
    fill(replicas, '3');
    await fillVm();
    await user.click(screen.getByRole('button', { name: '提 交' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')!.body).toMatchObject({
      kind: 'container',
      spec: { replicas: 3 },
    });
  });

  it('puts the API’s field errors next to their fields and the rest above the form', async () => {
    signIn();
    let answer = {
      status: 400,
      body: {
        statusCode: 400,
        error: 'InvalidInput',
        message:
          'name must be shorter than or equal to 63 characters; spec.vcpu must not be greater than 256',
      },
    };
    fakeApi(() => answer);
    renderAt('/resources/new');
    await fillVm();
    await user.click(screen.getByRole('button', { name: '提 交' }));
    const nameError = await screen.findByText('name must be shorter than or equal to 63 characters');
    expect(nameError.closest('.ant-form-item')?.querySelector('label')?.textContent).toBe('名称');
    const vcpuError = screen.getByText('spec.vcpu must not be greater than 256');
    expect(vcpuError.closest('.ant-form-item')?.querySelector('label')?.textContent).toBe('vCPU（核）');

    answer = {
      status: 409,
      body: { statusCode: 409, error: 'QuotaExceeded', message: 'quota exceeded: vcpu asks 2, 0 left' },
    };
    await user.click(screen.getByRole('button', { name: '提 交' }));
    expect(
      (await screen.findByText('quota exceeded: vcpu asks 2, 0 left')).closest('.ant-alert'),
    ).not.toBeNull();
  });
});
