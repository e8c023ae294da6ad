import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  meterHosted,
  meterResource,
  priceLines,
  rackUnitsOf,
  unitMs,
  UnpricedUsageError,
  type MeterEvent,
  type MeteredSpec,
  type RateTerms,
  type ResourceState,
  type UsageInterval,
  type Window,
} from './metering.js';
import { Dec, roundLine, sum } from './money.js';

const POOL = 'pool-a';
const at = (iso: string) => new Date(iso);

/** A rate card; prices are strings as the tender prints them. */
function card(
  id: string,
  from: string,
  overrides: Partial<RateTerms['prices']> = {},
  storageBilling: RateTerms['storageBilling'] = 'exists',
): RateTerms {
  return {
    id,
    poolId: POOL,
    effectiveFrom: at(from),
    storageBilling,
    prices: {
      vcpuHour: '0.05',
      memoryGiBHour: '0.01',
      gpuHour: '2.5',
      storageGiBMonth: { standard: '0.3', ssd: '1.2' },
      publicIpMonth: '20',
      rackUnitMonth: '150',
      ...overrides,
    },
  };
}

/** A resource's history, built event by event. */
class History {
  readonly events: MeterEvent[] = [];
  constructor(
    private spec: MeteredSpec,
    readonly resourceId = 'vm-1',
  ) {}
  to(state: ResourceState, iso: string): this {
    this.events.push({
      id: `e${this.events.length + 1}`,
      resourceId: this.resourceId,
      departmentId: 'dept-1',
      poolId: POOL,
      toState: state,
      spec: { ...this.spec },
      occurredAt: at(iso),
    });
    return this;
  }
  resize(spec: MeteredSpec, iso: string): this {
    this.spec = { ...this.spec, ...spec };
    const last = this.events[this.events.length - 1];
    return this.to(last.toState, iso);
  }
}

const month = (ym: string): Window => {
  const from = at(`${ym}-01T00:00:00Z`);
  return { from, to: new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1)) };
};

/** Line amounts by dimension (and month when asked), as fixed-point strings. */
function amounts(lines: ReturnType<typeof priceLines>, withMonth = false): Record<string, string> {
  return Object.fromEntries(
    lines.map((l) => [
      `${withMonth ? `${l.month} ` : ''}${l.dimension}${l.tier ? `:${l.tier}` : ''}`,
      l.amount.toFixed(2),
    ]),
  );
}

const launched = () =>
  new History({ vcpu: 2, memoryGiB: 4, storageGiB: 100 }).to('provisioning', '2024-01-31T11:00:00Z');

describe('metering, hand-computed', () => {
  const cards = [card('c1', '2024-01-01T00:00:00Z')];

  it('splits a resource crossing a month boundary, and bills leap-year February as 29 days', () => {
    const vm = launched().to('running', '2024-01-31T12:00:00Z');
    const intervals = meterResource(vm.events, cards, {
      from: at('2024-01-01T00:00:00Z'),
      to: at('2024-03-01T00:00:00Z'),
    });
    expect(
      intervals.filter((i) => i.dimension === 'vcpu').map((i) => [i.from.toISOString(), i.to.toISOString()]),
    ).toEqual([
      ['2024-01-31T12:00:00.000Z', '2024-02-01T00:00:00.000Z'],
      ['2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ]);
    // January: 12 h. vcpu 2×12=24 vCPU·h ×0.05=1.20; memory 4×12=48 GiB·h ×0.01=0.48;
    // storage 100 GiB × 12/744 month = 1.612903 GiB·month ×0.3 = 0.48387… → 0.48.
    // February 2024: 29 days = 696 h. vcpu 1392×0.05=69.60; memory 2784×0.01=27.84; storage 100×1×0.3=30.00.
    expect(amounts(priceLines(intervals, cards), true)).toEqual({
      '2024-01 vcpu': '1.20',
      '2024-01 memoryGiB': '0.48',
      '2024-01 storageGiB:standard': '0.48',
      '2024-02 vcpu': '69.60',
      '2024-02 memoryGiB': '27.84',
      '2024-02 storageGiB:standard': '30.00',
    });
    const jan = priceLines(intervals, cards).find(
      (l) => l.month === '2024-01' && l.dimension === 'storageGiB',
    )!;
    expect(jan.quantity.toFixed()).toBe('1.612903');
    expect(unitMs('month', at('2024-02-10T00:00:00Z'))).toBe(29 * 24 * 3_600_000);
    expect(unitMs('month', at('2023-02-10T00:00:00Z'))).toBe(28 * 24 * 3_600_000);
  });

  it('prices a mid-month rate change at each card for its part of the month', () => {
    const both = [...cards, card('c2', '2024-03-16T00:00:00Z', { vcpuHour: '0.06' })];
    const vm = new History({ vcpu: 1 }).to('running', '2024-02-20T00:00:00Z');
    const lines = priceLines(meterResource(vm.events, both, month('2024-03')), both);
    // 1–15 March: 360 h × 0.05 = 18.00; 16–31 March: 384 h × 0.06 = 23.04.
    expect(
      lines.map((l) => [l.rateCardId, l.quantity.toFixed(), l.unitPrice.toFixed(), l.amount.toFixed(2)]),
    ).toEqual([
      ['c1', '360', '0.05', '18.00'],
      ['c2', '384', '0.06', '23.04'],
    ]);
  });

  it('bills compute only while running across stop and start, storage throughout', () => {
    const vm = new History({ vcpu: 2, storageGiB: 50 })
      .to('running', '2024-03-01T00:00:00Z')
      .to('stopped', '2024-03-01T10:00:00Z')
      .to('running', '2024-03-01T15:00:00Z');
    const day = { from: at('2024-03-01T00:00:00Z'), to: at('2024-03-02T00:00:00Z') };
    // vcpu 2 × (10 h + 9 h) = 38 vCPU·h × 0.05 = 1.90; storage 50 × 24/744 = 1.612903 GiB·month × 0.3 = 0.48387… → 0.48.
    expect(amounts(priceLines(meterResource(vm.events, cards, day), cards))).toEqual({
      vcpu: '1.90',
      'storageGiB:standard': '0.48',
    });
    // A card billing storage only while running: 50 × 19/744 = 1.276882 × 0.3 = 0.383064… → 0.38.
    const runningOnly = [card('c1', '2024-01-01T00:00:00Z', {}, 'running')];
    expect(amounts(priceLines(meterResource(vm.events, runningOnly, day), runningOnly))).toEqual({
      vcpu: '1.90',
      'storageGiB:standard': '0.38',
    });
  });

  it('bills a resize at the new size from its instant, on the same line', () => {
    const vm = new History({ vcpu: 2, memoryGiB: 4 })
      .to('running', '2024-03-01T00:00:00Z')
      .resize({ vcpu: 4, memoryGiB: 16 }, '2024-03-01T06:00:00Z');
    const lines = priceLines(
      meterResource(vm.events, cards, { from: at('2024-03-01T00:00:00Z'), to: at('2024-03-01T12:00:00Z') }),
      cards,
    );
    // vcpu 2×6 + 4×6 = 36 vCPU·h × 0.05 = 1.80; memory 4×6 + 16×6 = 120 GiB·h × 0.01 = 1.20.
    expect(lines.map((l) => [l.dimension, l.quantity.toFixed(), l.amount.toFixed(2)])).toEqual([
      ['memoryGiB', '120', '1.20'],
      ['vcpu', '36', '1.80'],
    ]);
  });

  it('bills only storage for a resource stopped the whole month, nothing before it first ran and after deletion', () => {
    const vm = new History({ vcpu: 8, gpu: 1, storageGiB: 100, storageTier: 'ssd' })
      .to('queued', '2024-02-27T00:00:00Z')
      .to('provisioning', '2024-02-27T01:00:00Z')
      .to('running', '2024-02-28T00:00:00Z')
      .to('stopped', '2024-02-29T00:00:00Z');
    // 100 GiB ssd × 1 month × 1.2 = 120.00.
    expect(amounts(priceLines(meterResource(vm.events, cards, month('2024-03')), cards))).toEqual({
      'storageGiB:ssd': '120.00',
    });
    // February: running 24 h (vcpu 192×0.05=9.60, gpu 24×2.5=60.00), storage 2 of 29 days: 100×2/29 ×1.2 = 8.27586… → 8.28.
    expect(amounts(priceLines(meterResource(vm.events, cards, month('2024-02')), cards))).toEqual({
      vcpu: '9.60',
      gpu: '60.00',
      'storageGiB:ssd': '8.28',
    });
    vm.to('deleting', '2024-04-10T00:00:00Z').to('deleted', '2024-04-10T00:05:00Z');
    expect(meterResource(vm.events, cards, month('2024-05'))).toEqual([]);
    const failed = new History({ vcpu: 2, storageGiB: 10 })
      .to('queued', '2024-03-01T00:00:00Z')
      .to('failed', '2024-03-01T00:01:00Z');
    expect(meterResource(failed.events, cards, month('2024-03'))).toEqual([]);
  });

  it('bills hosted equipment per rack unit per month', () => {
    const intervals = meterHosted(
      {
        id: 'host-1',
        departmentId: 'dept-1',
        poolId: POOL,
        rackUnits: 4,
        from: at('2024-03-10T00:00:00Z'),
        to: null,
      },
      cards,
      month('2024-03'),
    );
    // 4 U × 22/31 month = 2.838710 U·month × 150 = 425.80645… → 425.81.
    const [line] = priceLines(intervals, cards);
    expect([line.unit, line.quantity.toFixed(), line.amount.toFixed(2)]).toEqual([
      'U·month',
      '2.83871',
      '425.81',
    ]);
  });

  it('reads rack units from the inventory position', () => {
    expect(['U10-U13', '10-13', '2U', 'U7', '7', null, 'rack 3'].map(rackUnitsOf)).toEqual([
      4, 4, 2, 1, 1, 1, 1,
    ]);
  });

  it('rounds a line of exactly half a fen up, and just under half a fen down', () => {
    const half = [card('c1', '2024-01-01T00:00:00Z', { vcpuHour: '0.01' })];
    const vm = new History({ vcpu: 1 })
      .to('running', '2024-03-01T00:00:00Z')
      .to('stopped', '2024-03-01T00:30:00Z');
    // 0.5 vCPU·h × 0.01 = 0.005 → 0.01.
    expect(priceLines(meterResource(vm.events, half, month('2024-03')), half)[0].amount.toFixed(2)).toBe(
      '0.01',
    );
    const under = [card('c1', '2024-01-01T00:00:00Z', { vcpuHour: '0.009999' })];
    // 0.5 × 0.009999 = 0.0049995 → 0.00.
    expect(priceLines(meterResource(vm.events, under, month('2024-03')), under)[0].amount.toFixed(2)).toBe(
      '0.00',
    );
    // 2.675 is 2.67499999… as a float; as a decimal it rounds half-up to 2.68.
    expect(roundLine(new Dec('2.675')).toFixed(2)).toBe('2.68');
  });

  it('refuses usage no rate card prices', () => {
    const vm = new History({ vcpu: 1 }).to('running', '2023-12-31T00:00:00Z');
    expect(() => meterResource(vm.events, cards, month('2023-12'))).toThrow(UnpricedUsageError);
  });
});

const STATES: ResourceState[] = ['running', 'stopped', 'running', 'deleting', 'deleted', 'failed', 'queued'];
const T0 = Date.UTC(2024, 0, 1);
const T1 = Date.UTC(2024, 5, 1);

/** Random histories over the first half of 2024, with random card changes. */
const historyArb = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 0, max: 20 * 24 * 3_600_000 }),
      state: fc.constantFrom(...STATES),
      vcpu: fc.integer({ min: 0, max: 64 }),
      storageGiB: fc.integer({ min: 0, max: 2000 }),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((steps) => {
    const events: MeterEvent[] = [];
    let t = T0;
    steps.forEach((step, i) => {
      t += step.gap;
      events.push({
        id: `e${i}`,
        resourceId: 'r',
        departmentId: 'd',
        poolId: POOL,
        toState: step.state,
        spec: { vcpu: step.vcpu, storageGiB: step.storageGiB },
        occurredAt: new Date(t),
      });
    });
    return events;
  });
const cardsArb = fc
  .uniqueArray(fc.integer({ min: T0 + 1, max: T1 }), { maxLength: 4 })
  .map((starts) => [
    card('base', '2024-01-01T00:00:00Z'),
    ...starts.map((s, i) => card(`k${i}`, new Date(s).toISOString(), { vcpuHour: `0.0${i + 1}` })),
  ]);
const usage = (intervals: UsageInterval[], dimension: string) =>
  sum(
    intervals
      .filter((i) => i.dimension === dimension)
      .map((i) => i.quantity.times(i.to.getTime() - i.from.getTime())),
  );

describe('metering, properties', () => {
  it('splitting a window in two neither loses nor duplicates usage', () => {
    fc.assert(
      fc.property(historyArb, cardsArb, fc.integer({ min: T0, max: T1 }), (events, cards, cut) => {
        const whole = meterResource(events, cards, { from: new Date(T0), to: new Date(T1) });
        const parts = [
          ...meterResource(events, cards, { from: new Date(T0), to: new Date(cut) }),
          ...meterResource(events, cards, { from: new Date(cut), to: new Date(T1) }),
        ];
        for (const dimension of ['vcpu', 'storageGiB'])
          expect(usage(parts, dimension).eq(usage(whole, dimension))).toBe(true);
      }),
    );
  });

  it('every interval lies in one month under the card in force, and compute only while running', () => {
    fc.assert(
      fc.property(historyArb, cardsArb, (events, cards) => {
        for (const i of meterResource(events, cards, { from: new Date(T0), to: new Date(T1) })) {
          expect(i.from.toISOString().slice(0, 7)).toBe(
            new Date(i.to.getTime() - 1).toISOString().slice(0, 7),
          );
          const inForce = cards
            .filter((c) => c.effectiveFrom <= i.from)
            .sort((a, b) => +b.effectiveFrom - +a.effectiveFrom)[0];
          expect(i.rateCardId).toBe(inForce.id);
          expect(cards.some((c) => c.effectiveFrom > i.from && c.effectiveFrom < i.to)).toBe(false);
          if (i.dimension === 'vcpu') expect(events.find((e) => e.id === i.eventId)!.toState).toBe('running');
        }
      }),
    );
  });

  it('lines are the same whatever order the intervals come in, and amounts are rounded to the fen', () => {
    fc.assert(
      fc.property(historyArb, cardsArb, fc.integer(), (events, cards, seed) => {
        const intervals = meterResource(events, cards, { from: new Date(T0), to: new Date(T1) });
        const shuffled = [...intervals].sort(
          (a, b) => ((a.from.getTime() * 31 + seed) % 97) - ((b.from.getTime() * 31 + seed) % 97),
        );
        const lines = priceLines(intervals, cards);
        expect(priceLines(shuffled, cards)).toEqual(lines);
        for (const line of lines) expect(line.amount.decimalPlaces()).toBeLessThanOrEqual(2);
      }),
    );
  });
});
