import { describe, expect, it } from '@jest/globals';
import { Reconciler } from '../../src/modules/provisioning/jobs/reconciler.service.js';
import { CAPACITY_DIMENSIONS } from '../../src/modules/provisioning/pools/capacity.js';
import { capacityNeeds, capacityNeedsSql } from '../../src/modules/provisioning/resources/placement.js';
import { bearer } from '../support/harness.js';
import {
  aResourceRequest,
  reconcilePass,
  requestResource,
  resourcesOnFakePool,
  untilState,
} from '../support/provisioning.js';

describe("reconciler: a pool's capacity books", () => {
  const world = resourcesOnFakePool();
  const pass = () => reconcilePass(world.t.app.get(Reconciler), world.pool.id);
  /** The gauge as a scrape reads it now. */
  const gauge = async () =>
    (await world.t.http().get('/metrics').expect(200)).text.match(
      new RegExp(`^govcloud_pool_capacity_drift_dimensions\\{pool="${world.pool.id}"\\} (\\d+)$`, 'm'),
    )?.[1];
  const driftEvents = async () =>
    (
      await world.t.dataSource.query(
        `SELECT detail FROM reconcile_events WHERE pool_id = $1 AND action = 'capacity-drift' ORDER BY id`,
        [world.pool.id],
      )
    ).map((row: { detail: string }) => row.detail);
  const skew = (vcpu: number) =>
    world.t.dataSource.query(
      `UPDATE pools SET allocated = jsonb_set(allocated, '{vcpu}', to_jsonb((allocated->>'vcpu')::bigint + $2))
       WHERE id = $1`,
      [world.pool.id, vcpu],
    );

  it('are read in SQL as placement counts them in code', async () => {
    const specs = [
      { vcpu: 2, memoryGiB: 4, storageGiB: 40, image: 'debian-12' },
      { vcpu: 1, memoryGiB: 2, storageGiB: 0, image: 'nginx:1.27', replicas: 3 },
      { vcpu: 8, memoryGiB: 64, storageGiB: 500, gpu: 2, image: 'cuda' },
      { vcpu: 4, memoryGiB: 8, storageGiB: 10, gpu: 1, image: 'infer', replicas: 0 },
      // Stored by an import or an older release, not by today's API: counted all the same.
      { vcpu: 31, memoryGiB: 27.5, storageGiB: 384, image: 'imported', replicas: 3 },
    ];
    const sql = capacityNeedsSql('s.spec');
    const rows = await world.t.dataSource.query(
      `SELECT ${CAPACITY_DIMENSIONS.map((d) => `(${sql[d]})::float8 AS "${d}"`).join(', ')}
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS s(spec, n) ORDER BY n`,
      [JSON.stringify(specs)],
    );
    expect(rows).toEqual(specs.map((spec) => capacityNeeds(spec)));
  });

  it('are clean while resources come and go, whatever state they are in', async () => {
    const { t } = world;
    const token = world.tokens.deptAdmin;
    const replicated = await t
      .http()
      .post('/api/v1/resources')
      .set(bearer(token))
      .send(
        aResourceRequest({
          kind: 'container',
          poolId: world.pool.id,
          spec: { vcpu: 1, memoryGiB: 2, storageGiB: 0, image: 'nginx:1.27', replicas: 3 },
        }),
      )
      .expect(202);
    const gone = await requestResource(t, token, world.pool.id);
    await untilState(t, token, replicated.body.id, 'running');
    await untilState(t, token, gone.id, 'running');
    try {
      // With every driver call held, one resource waits queued and another deleting: both still hold.
      await world.fake.pool.pause();
      const waiting = await requestResource(t, token, world.pool.id);
      await t.http().delete(`/api/v1/resources/${gone.id}`).set(bearer(token)).expect(202);
      expect(await gauge()).toBe('0');
      await world.fake.pool.resume();
      await untilState(t, token, waiting.id, 'running');
      await untilState(t, token, gone.id, 'deleted');
    } finally {
      await world.fake.pool.resume();
    }
    expect((await pass()).capacityDrift).toEqual([]);
    expect(await gauge()).toBe('0');
  });

  it('that drift are reported once per gap, however the resources behind them move', async () => {
    const { t } = world;
    const token = world.tokens.deptAdmin;
    // Books gone wrong (by hand, or by a bug): four vCPU more allocated than the live resources hold.
    await skew(4);
    expect((await pass()).capacityDrift).toEqual([{ dimension: 'vcpu', allocated: 9, held: 5 }]);
    expect(await gauge()).toBe('1');
    // Another resource moves both sides, not the gap: nothing new to report.
    await untilState(t, token, (await requestResource(t, token, world.pool.id)).id, 'running');
    expect((await pass()).capacityDrift).toEqual([{ dimension: 'vcpu', allocated: 11, held: 7 }]);
    expect(await driftEvents()).toEqual(['vcpu: 4 more allocated than live resources hold']);
    // A gap that changes is reported again.
    await skew(-6);
    await pass();
    expect(await driftEvents()).toEqual([
      'vcpu: 4 more allocated than live resources hold',
      'vcpu: live resources hold 2 more than allocated',
    ]);
    await skew(2);
    expect((await pass()).capacityDrift).toEqual([]);
    expect(await gauge()).toBe('0');
  });

  it('of a disabled pool are checked too, though the pool is not listed', async () => {
    const operator = await world.t.world.token('operator');
    const enable = (enabled: boolean) =>
      world.t
        .http()
        .patch(`/api/v1/pools/${world.pool.id}`)
        .set(bearer(operator))
        .send({ enabled })
        .expect(200);
    await enable(false);
    try {
      await skew(1);
      const report = await pass();
      expect(report).toMatchObject({
        listed: 0,
        capacityDrift: [{ dimension: 'vcpu', allocated: 8, held: 7 }],
      });
      expect((await driftEvents()).at(-1)).toBe('vcpu: 1 more allocated than live resources hold');
      await skew(-1);
    } finally {
      await enable(true);
    }
  });
});
