import { describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApi } from '../../test/api-mock';
import { renderAt, signIn } from '../../test/render';
import type { RateCard } from './RateCards';

const card: RateCard = {
  id: 'c1',
  poolId: 'p1',
  name: '2026 年政务云服务招标价格',
  tenderRef: 'ZB-2026-01',
  effectiveFrom: '2026-01-01',
  prices: {
    vcpuHour: '0.12',
    memoryGiBHour: '0.03',
    gpuHour: '6.5',
    publicIpMonth: '25',
    rackUnitMonth: '300',
    storageGiBMonth: { standard: '0.35', ssd: '0.8' },
  },
  storageBilling: 'exists',
  locked: true,
};

const rateCardApi = () =>
  mockApi(({ method, path }) => {
    if (path === '/pools') return { body: [{ id: 'p1', name: '政务云一区' }] };
    if (method === 'GET' && path.startsWith('/rate-cards')) return { body: [card] };
    if (method === 'POST')
      return {
        status: 400,
        body: {
          statusCode: 400,
          error: 'BadRequest',
          message: 'prices.vcpuHour must be a decimal string with at most 6 decimals, e.g. "0.35"',
        },
      };
    return undefined;
  });

describe('rate cards', () => {
  it('lists the cards with their exact prices, and puts a refused price next to its field', async () => {
    signIn({ role: 'finance', departmentId: null });
    const calls = rateCardApi();
    renderAt('/rate-cards');
    const row = (await screen.findByText('2026 年政务云服务招标价格')).closest('tr')!;
    expect(within(row).getByText('0.12')).toBeTruthy();
    // Storage tiers by name, in the console's language.
    expect(within(row).getByText('标准：0.35 · SSD：0.8')).toBeTruthy();
    expect(within(row).getByText('已锁定')).toBeTruthy();
    // A card a finalised rebill used is frozen: nothing to delete.
    expect(within(row).queryByRole('button', { name: '删 除' })).toBeNull();

    const form = screen.getByText('新增价格卡', { selector: '.ant-card-head-title' }).closest('.ant-card')!;
    const field = (label: string) => within(form as HTMLElement).getByLabelText(label);
    await userEvent.click(field('资源池'));
    await userEvent.click(await screen.findByTitle('政务云一区'));
    await userEvent.type(field('名称'), '2027 年价格');
    await userEvent.type(field('生效日期'), '2027-01-01');
    for (const [label, value] of [
      ['vCPU (元/核·时)', '0.1234567'],
      ['内存 (元/GiB·时)', '0.03'],
      ['GPU (元/卡·时)', '6'],
      ['公网 IP (元/个·月)', '25'],
      ['托管机位 (元/U·月)', '300'],
      ['标准存储 (元/GiB·月)', '0.35'],
    ])
      await userEvent.type(field(label), value);
    await userEvent.click(within(form as HTMLElement).getByRole('button', { name: '新增价格卡' }));

    const complaint = await screen.findByText(/^prices\.vcpuHour must be a decimal string/);
    expect(complaint.closest('.ant-form-item')?.textContent).toContain('vCPU (元/核·时)');
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      poolId: 'p1',
      effectiveFrom: '2027-01-01',
      prices: { vcpuHour: '0.1234567', storageGiBMonth: { standard: '0.35' } },
      storageBilling: 'exists',
    });
  }, 180_000);

  it('shows auditors the cards without the form', async () => {
    signIn({ role: 'auditor', departmentId: null });
    rateCardApi();
    renderAt('/rate-cards');
    await screen.findByText('2026 年政务云服务招标价格');
    expect(screen.queryByText('新增价格卡')).toBeNull();
    expect(screen.queryByRole('columnheader', { name: '操作' })).toBeNull();
  });

  it('shows the cards of the pool chosen, even when the list of all answers after it', async () => {
    signIn({ role: 'auditor', departmentId: null });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const other: RateCard = { ...card, id: 'c2', poolId: 'p2', name: '二区自建价格', locked: false };
    mockApi(({ path }) => {
      if (path === '/pools')
        return {
          body: [
            { id: 'p1', name: '政务云一区' },
            { id: 'p2', name: '政务云二区' },
          ],
        };
      if (path === '/rate-cards') return { body: [card, other] };
      if (path === '/rate-cards?poolId=p2') return { body: [other] };
      return undefined;
    });
    // The first list (every pool) is slow; the one of the chosen pool answers at once.
    const fetch = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input) === '/api/v1/rate-cards') await gate;
      return fetch(input, init);
    }) as typeof globalThis.fetch;
    renderAt('/rate-cards');
    await userEvent.click(await screen.findByLabelText('资源池'));
    await userEvent.click(await screen.findByTitle('政务云二区'));
    expect(await screen.findByText('二区自建价格')).toBeTruthy();
    release();
    await gate;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(screen.getByText('二区自建价格')).toBeTruthy();
    expect(screen.queryByText('2026 年政务云服务招标价格')).toBeNull();
  });
});
