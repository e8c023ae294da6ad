import { Dec, roundLine, roundQuantity, ZERO, type Dec as Decimal } from './money.js';

/**
 * The metering model, as pure functions. It is the specification of how usage becomes money: the
 * rebill's SQL (rebill-sql.ts) must agree with it (rebill-sql.e2e.ts checks both on random histories),
 * and the line explanation endpoint replays one resource through it.
 */

export const DIMENSIONS = ['vcpu', 'memoryGiB', 'gpu', 'publicIp', 'storageGiB', 'rackUnit'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Compute dimensions bill while running; storage while the resource exists; rack units while hosted. */
export const COMPUTE_DIMENSIONS = ['vcpu', 'memoryGiB', 'gpu', 'publicIp'] as const;

export type Per = 'hour' | 'month';

/** Which rate-card price a dimension bills at, per what, and the unit printed on a line. */
export const PRICING: Record<Dimension, { price: keyof RatePrices; per: Per; unit: string }> = {
  vcpu: { price: 'vcpuHour', per: 'hour', unit: 'vCPU·h' },
  memoryGiB: { price: 'memoryGiBHour', per: 'hour', unit: 'GiB·h' },
  gpu: { price: 'gpuHour', per: 'hour', unit: 'GPU·h' },
  publicIp: { price: 'publicIpMonth', per: 'month', unit: 'IP·month' },
  storageGiB: { price: 'storageGiBMonth', per: 'month', unit: 'GiB·month' },
  rackUnit: { price: 'rackUnitMonth', per: 'month', unit: 'U·month' },
};

/** Unit prices in CNY as decimal strings, exactly as the tender fixed them. */
export interface RatePrices {
  vcpuHour: string;
  memoryGiBHour: string;
  gpuHour: string;
  /** Per storage tier; a resource's spec.storageTier picks one, 'standard' when absent. */
  storageGiBMonth: Record<string, string>;
  publicIpMonth: string;
  rackUnitMonth: string;
}

/** 'exists': storage bills from the first 'running' until 'deleted', stopped included; 'running': only while running. */
export type StorageBilling = 'exists' | 'running';

export interface RateTerms {
  id: string;
  poolId: string;
  /** Midnight UTC of the effective date; the card holds until the pool's next card takes over. */
  effectiveFrom: Date;
  prices: RatePrices;
  storageBilling: StorageBilling;
}

export const RESOURCE_STATES = [
  'requested',
  'queued',
  'provisioning',
  'running',
  'stopped',
  'deleting',
  'deleted',
  'failed',
] as const;
export type ResourceState = (typeof RESOURCE_STATES)[number];

/** The fields of a resource spec that billing reads; everything else in the spec is ignored. */
export interface MeteredSpec {
  vcpu?: number;
  memoryGiB?: number;
  storageGiB?: number;
  gpu?: number;
  replicas?: number;
  publicIp?: number | boolean;
  storageTier?: string;
}

/** One row of provisioning's resource_events, as billing needs it. */
export interface MeterEvent {
  id: string;
  resourceId: string;
  departmentId: string;
  poolId: string;
  toState: ResourceState;
  spec: MeteredSpec;
  occurredAt: Date;
}

export interface Window {
  from: Date;
  /** Exclusive; a draft of the current month ends at "now", never at the month's end. */
  to: Date;
}

/** A quantity held over [from, to), inside one month and under one rate card. */
export interface UsageInterval {
  resourceId: string;
  departmentId: string;
  poolId: string;
  dimension: Dimension;
  tier: string | null;
  quantity: Decimal;
  from: Date;
  to: Date;
  rateCardId: string;
  /** The event that opened the state this interval bills. */
  eventId: string;
}

export const HOUR_MS = 3_600_000;

export function monthStart(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
}

export function nextMonth(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
}

/** 'YYYY-MM' of an instant, in UTC. */
export function monthOf(t: Date): string {
  return t.toISOString().slice(0, 7);
}

/** The milliseconds one unit stands for: an hour, or the whole calendar month the usage fell in. */
export function unitMs(per: Per, month: Date): number {
  return per === 'hour' ? HOUR_MS : nextMonth(month).getTime() - monthStart(month).getTime();
}

function n(value: number | boolean | undefined): Decimal {
  if (value === undefined || value === false) return ZERO;
  if (value === true) return new Dec(1);
  return new Dec(String(value));
}

/** What a spec holds per dimension. Containers hold vcpu, memory and gpu once per replica. */
export function quantities(spec: MeteredSpec): { compute: Record<string, Decimal>; storageGiB: Decimal } {
  const replicas = spec.replicas === undefined ? new Dec(1) : n(spec.replicas);
  return {
    compute: {
      vcpu: n(spec.vcpu).times(replicas),
      memoryGiB: n(spec.memoryGiB).times(replicas),
      gpu: n(spec.gpu).times(replicas),
      publicIp: n(spec.publicIp),
    },
    storageGiB: n(spec.storageGiB),
  };
}

/** The pool's card in force at t: the latest effective at or before t. */
export function cardAt(cards: readonly RateTerms[], poolId: string, t: Date): RateTerms | undefined {
  let best: RateTerms | undefined;
  for (const card of cards) {
    if (card.poolId !== poolId || card.effectiveFrom.getTime() > t.getTime()) continue;
    if (!best || card.effectiveFrom.getTime() > best.effectiveFrom.getTime()) best = card;
  }
  return best;
}

export class UnpricedUsageError extends Error {
  constructor(
    readonly poolId: string,
    readonly at: Date,
  ) {
    super(`pool ${poolId} has no rate card in force at ${at.toISOString()}`);
  }
}

/** Cuts [from, to) at every month start and every card change of the pool. */
function cuts(from: Date, to: Date, cards: readonly RateTerms[], poolId: string): Date[] {
  const points = new Set<number>([from.getTime(), to.getTime()]);
  for (let m = nextMonth(from); m.getTime() < to.getTime(); m = nextMonth(m)) points.add(m.getTime());
  for (const card of cards) {
    const t = card.effectiveFrom.getTime();
    if (card.poolId === poolId && t > from.getTime() && t < to.getTime()) points.add(t);
  }
  return [...points].sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * Exact intervals of one resource inside the window, from its events (all of them, ordered by time;
 * earlier ones give the state and spec at the window's start).
 */
export function meterResource(
  events: readonly MeterEvent[],
  cards: readonly RateTerms[],
  window: Window,
): UsageInterval[] {
  const out: UsageInterval[] = [];
  let everRunning = false;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    // Deleted is terminal: whatever a history says after it bills nothing.
    if (event.toState === 'deleted') break;
    if (event.toState === 'running') everRunning = true;
    const start = Math.max(event.occurredAt.getTime(), window.from.getTime());
    const end = Math.min(events[i + 1]?.occurredAt.getTime() ?? Infinity, window.to.getTime());
    if (end <= start) continue;
    const running = event.toState === 'running';
    const exists = everRunning;
    if (!running && !exists) continue;
    const held = quantities(event.spec);
    const points = cuts(new Date(start), new Date(end), cards, event.poolId);
    for (let p = 0; p + 1 < points.length; p++) {
      const card = cardAt(cards, event.poolId, points[p]);
      if (!card) throw new UnpricedUsageError(event.poolId, points[p]);
      const base = {
        resourceId: event.resourceId,
        departmentId: event.departmentId,
        poolId: event.poolId,
        from: points[p],
        to: points[p + 1],
        rateCardId: card.id,
        eventId: event.id,
      };
      if (running) {
        for (const dimension of COMPUTE_DIMENSIONS) {
          const quantity = held.compute[dimension];
          if (quantity.gt(0)) out.push({ ...base, dimension, tier: null, quantity });
        }
      }
      if (held.storageGiB.gt(0) && (running || (exists && card.storageBilling === 'exists'))) {
        const tier = event.spec.storageTier ?? 'standard';
        out.push({ ...base, dimension: 'storageGiB', tier, quantity: held.storageGiB });
      }
    }
  }
  return out;
}

/** Equipment hosted in the cloud data centre (migration's 'hosting' strategy), billed per rack unit. */
export interface HostedEquipment {
  /** The host's id; it stands where a resource id stands on a line. */
  id: string;
  departmentId: string;
  poolId: string;
  rackUnits: number;
  from: Date;
  to: Date | null;
}

/**
 * Rack units a host occupies, from the position the inventory records: 'U10-U13' or '10-13' is 4,
 * '2U' is 2, 'U7' or '7' is 1; a host with no or an unreadable position counts 1 U (a server takes at least one).
 */
export function rackUnitsOf(position: string | null): number {
  const text = (position ?? '').trim();
  const range = /^U?(\d+)\s*[-–~]\s*U?(\d+)$/i.exec(text);
  if (range) return Math.abs(Number(range[2]) - Number(range[1])) + 1;
  const height = /^(\d+)\s*U$/i.exec(text);
  if (height && Number(height[1]) > 0) return Number(height[1]);
  return 1;
}

export function meterHosted(
  item: HostedEquipment,
  cards: readonly RateTerms[],
  window: Window,
): UsageInterval[] {
  const start = Math.max(item.from.getTime(), window.from.getTime());
  const end = Math.min(item.to?.getTime() ?? Infinity, window.to.getTime());
  const quantity = n(item.rackUnits);
  if (end <= start || quantity.lte(0)) return [];
  const points = cuts(new Date(start), new Date(end), cards, item.poolId);
  return points.slice(0, -1).map((from, p) => {
    const card = cardAt(cards, item.poolId, from);
    if (!card) throw new UnpricedUsageError(item.poolId, from);
    return {
      resourceId: item.id,
      departmentId: item.departmentId,
      poolId: item.poolId,
      dimension: 'rackUnit' as const,
      tier: null,
      quantity,
      from,
      to: points[p + 1],
      rateCardId: card.id,
      eventId: item.id,
    };
  });
}

/** One priced line: a department × resource × dimension × rate period of one month. */
export interface PricedLine {
  key: string;
  month: string;
  departmentId: string;
  resourceId: string;
  poolId: string;
  dimension: Dimension;
  tier: string | null;
  rateCardId: string;
  unit: string;
  /** Quantity × milliseconds held, exact; the amount is computed from this, not from the rounded quantity. */
  usageMs: Decimal;
  quantity: Decimal;
  unitPrice: Decimal;
  amount: Decimal;
}

/** Deterministic: the same usage always gives the same key, so reprocessing replaces instead of duplicating. */
export function lineKey(l: {
  month: string;
  departmentId: string;
  resourceId: string;
  dimension: Dimension;
  tier: string | null;
  rateCardId: string;
}): string {
  return [
    l.month,
    l.departmentId,
    l.resourceId,
    l.dimension + (l.tier ? `:${l.tier}` : ''),
    l.rateCardId,
  ].join('|');
}

export function priceOf(card: RateTerms, dimension: Dimension, tier: string | null): Decimal {
  const { price } = PRICING[dimension];
  const value =
    price === 'storageGiBMonth' ? card.prices.storageGiBMonth[tier ?? 'standard'] : card.prices[price];
  if (value === undefined) throw new UnpricedTierError(card.id, tier ?? 'standard');
  return new Dec(value);
}

export class UnpricedTierError extends Error {
  constructor(
    readonly rateCardId: string,
    readonly tier: string,
  ) {
    super(`rate card ${rateCardId} has no storage price for tier '${tier}'`);
  }
}

/** Groups intervals into lines and prices them under the rounding rule (money.ts). Ordered by key. */
export function priceLines(intervals: readonly UsageInterval[], cards: readonly RateTerms[]): PricedLine[] {
  const byId = new Map(cards.map((card) => [card.id, card]));
  const lines = new Map<string, Omit<PricedLine, 'quantity' | 'unitPrice' | 'amount'>>();
  for (const interval of intervals) {
    const month = monthOf(interval.from);
    const key = lineKey({ ...interval, month });
    const ms = new Dec(interval.to.getTime() - interval.from.getTime());
    const usage = interval.quantity.times(ms);
    const line = lines.get(key);
    if (line) line.usageMs = line.usageMs.plus(usage);
    else
      lines.set(key, {
        key,
        month,
        departmentId: interval.departmentId,
        resourceId: interval.resourceId,
        poolId: interval.poolId,
        dimension: interval.dimension,
        tier: interval.tier,
        rateCardId: interval.rateCardId,
        unit: PRICING[interval.dimension].unit,
        usageMs: usage,
      });
  }
  return [...lines.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((line) => {
      const card = byId.get(line.rateCardId)!;
      const unitPrice = priceOf(card, line.dimension, line.tier);
      const per = new Dec(unitMs(PRICING[line.dimension].per, new Date(`${line.month}-01T00:00:00Z`)));
      return {
        ...line,
        quantity: roundQuantity(line.usageMs.div(per)),
        unitPrice,
        // usage × price / per is a rational whose denominator divides per (< 3e9 ms), so it is at least
        // 1e-11 away from any half-fen unless exactly on it; 40 significant digits round it exactly.
        amount: roundLine(line.usageMs.times(unitPrice).div(per)),
      };
    });
}
