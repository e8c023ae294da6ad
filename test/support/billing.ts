import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { bearer, startApp, unique, type TestApp } from './harness.js';

/** Prices of a rate card as the API takes them. */
export const PRICES = {
  vcpuHour: '0.05',
  memoryGiBHour: '0.01',
  gpuHour: '2.5',
  storageGiBMonth: { standard: '0.3', ssd: '1.2' },
  publicIpMonth: '20',
  rackUnitMonth: '150',
};

/** Pools, resources and their events straight in the database, as provisioning would have written them. */
export class BillingWorld {
  constructor(private readonly dataSource: DataSource) {}

  async pool(tier: 'provider' | 'self-managed' = 'provider'): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO pools (id, name, type, tier, connection_sealed, capacity, allocated)
       VALUES ($1, $2, 'fake', $3, 'sealed', '{}', '{}')`,
      [id, unique('pool'), tier],
    );
    return id;
  }

  async card(
    poolId: string,
    effectiveFrom: string,
    prices: Partial<typeof PRICES> = {},
    extra: Record<string, unknown> = {},
  ) {
    const id = randomUUID();
    const p = { ...PRICES, ...prices };
    await this.dataSource.query(
      `INSERT INTO rate_cards (id, pool_id, name, effective_from, vcpu_hour, memory_gib_hour, gpu_hour, public_ip_month,
                               rack_unit_month, storage_billing)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        poolId,
        `card ${effectiveFrom}`,
        effectiveFrom,
        p.vcpuHour,
        p.memoryGiBHour,
        p.gpuHour,
        p.publicIpMonth,
        p.rackUnitMonth,
        extra.storageBilling ?? 'exists',
      ],
    );
    for (const [tier, price] of Object.entries(p.storageGiBMonth))
      await this.dataSource.query(
        `INSERT INTO rate_card_storage_prices (rate_card_id, tier, gib_month) VALUES ($1, $2, $3)`,
        [id, tier, price],
      );
    return id;
  }

  /** A resource and its history: [state, ISO time, spec?] steps; a spec given once holds until changed. */
  async resource(
    departmentId: string,
    poolId: string,
    spec: Record<string, unknown>,
    steps: Array<[string, string, Record<string, unknown>?]>,
    id: string = randomUUID(),
  ): Promise<string> {
    const last = steps[steps.length - 1];
    await this.dataSource.query(
      `INSERT INTO resources (id, department_id, pool_id, kind, name, spec, state, desired_state, deleted_at)
       VALUES ($1, $2, $3, 'vm', $4, $5, $6::varchar, $6::varchar, CASE WHEN $6::varchar = 'deleted' THEN $7::timestamptz END)`,
      [id, departmentId, poolId, unique('vm').slice(0, 60), spec, last[0], last[1]],
    );
    await this.events(id, departmentId, poolId, spec, steps);
    return id;
  }

  async events(
    resourceId: string,
    departmentId: string,
    poolId: string,
    spec: Record<string, unknown>,
    steps: Array<[string, string, Record<string, unknown>?]>,
  ): Promise<void> {
    let current = spec;
    let state: string | null = null;
    for (const [to, at, resized] of steps) {
      current = resized ? { ...current, ...resized } : current;
      await this.dataSource.query(
        `INSERT INTO resource_events (resource_id, department_id, pool_id, type, from_state, to_state, spec, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [resourceId, departmentId, poolId, resized ? 'resized' : 'transition', state, to, current, at],
      );
      state = to;
    }
  }
}

/** The world of the rebill tests: a city tree, tokens for every role, and a pool a card prices since 2020. */
async function rebillWorld(t: TestApp) {
  const b = new BillingWorld(t.dataSource);
  const tree = await t.world.city();
  const tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  const pool = await b.pool();
  await b.card(pool, '2020-01-01');
  return { b, tree, tokens, pool };
}

/**
 * `rebillWorld` on an app with the API, for the tests of the file this is called in: its hooks start it
 * before them and close it after. Its fields stand only once the tests run, so a test takes them in its
 * body; `post` and `get` (as finance, unless given another token) may be taken at once.
 */
export function rebillsOnPricedPool() {
  const world = {} as { t: TestApp } & Awaited<ReturnType<typeof rebillWorld>>;
  beforeAll(async () => {
    world.t = await startApp();
    Object.assign(world, await rebillWorld(world.t));
  });
  afterAll(() => world.t?.close());

  const post = (path: string, body: unknown, token = world.tokens.finance) =>
    world.t
      .http()
      .post(path)
      .set(bearer(token))
      .send(body as object);
  const get = (path: string, token = world.tokens.finance) => world.t.http().get(path).set(bearer(token));
  return Object.assign(world, { post, get });
}
