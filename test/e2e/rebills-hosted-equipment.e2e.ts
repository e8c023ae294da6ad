import { describe, expect, it } from '@jest/globals';
import { rebillsOnPricedPool } from '../support/billing.js';
import { bearer } from '../support/harness.js';
import { aHost, aSystem } from '../support/inventory.js';

const world = rebillsOnPricedPool();
const { post, get } = world;

describe('rebills', () => {
  /** A host of department `departmentId` serving a system of the hosting strategy, moved in at `migratedAt`. */
  const hostedHost = async (departmentId: string, rackUnit: string, migratedAt: string) => {
    const { t, tokens } = world;
    const system = await post('/api/v1/systems', aSystem(departmentId), tokens.operator).expect(201);
    await t.dataSource.query(`UPDATE information_systems SET strategy_override = 'hosting' WHERE id = $1`, [
      system.body.id,
    ]);
    const host = await post(
      '/api/v1/hosts',
      aHost(departmentId, { rackUnit, systemIds: [system.body.id] }),
      tokens.operator,
    ).expect(201);
    await t.dataSource.query(
      `INSERT INTO migration_transitions (subject_type, subject_id, department_id, from_status, to_status, at, actor_name)
       VALUES ('host', $1, $2, 'verifying', 'migrated', $3, 'test')`,
      [host.body.id, departmentId, migratedAt],
    );
    return host.body as { id: string };
  };

  // Its card on the hosting pool (the oldest self-managed one) prices the rack units of the tests after it.
  it('bills hosted equipment per rack unit per month, from its move into the cloud data centre', async () => {
    const { t, b, tree } = world;
    const d = await t.world.department('department', tree.city);
    const hostingPool =
      (
        await t.dataSource.query(
          `SELECT id FROM pools WHERE tier = 'self-managed' ORDER BY created_at, id LIMIT 1`,
        )
      )[0]?.id ?? (await b.pool('self-managed'));
    await b.card(hostingPool, '2016-01-01', { rackUnitMonth: '150' });
    const host = await hostedHost(d.id, 'U10-U13', '2017-03-10T00:00:00Z');
    const run = (await post('/api/v1/rebills', { period: '2017-03' }).expect(201)).body;
    const [line] = (await get(`/api/v1/rebills/${run.id}/departments/${d.id}`)).body.lines.items;
    // 4 U × 22/31 month = 2.838710 U·month × 150 = 425.806… → 425.81.
    expect([line.resourceId, line.dimension, line.unit, line.quantity, line.amount]).toEqual([
      host.id,
      'rackUnit',
      'U·month',
      '2.838710',
      '425.81',
    ]);
    const why = await get(`/api/v1/rebills/${run.id}/lines/${line.id}`).expect(200);
    expect(why.body.hostedEquipment).toMatchObject({ id: host.id, rackUnits: 4 });
    expect(why.body.consistent).toBe(true);
  });

  it('stops billing hosted equipment on the day an operator records it leaving', async () => {
    const { t, tree, tokens } = world;
    const d = await t.world.department('department', tree.city);
    const host = await hostedHost(d.id, '2U', '2019-03-01T00:00:00Z');
    const patch = (body: object, token: string) =>
      t.http().patch(`/api/v1/hosts/${host.id}`).set(bearer(token)).send(body);
    // The department would stop its own bill: only the cloud's operators record it.
    const own = await t.world.token('dept-admin', d.id);
    const refused = await patch({ hostingEndedOn: '2019-03-11' }, own).expect(403);
    expect(refused.body.message).toMatch(/^hostingEndedOn/);
    expect((await patch({ hostingEndedOn: '2019-3-11' }, tokens.operator).expect(400)).body.message).toMatch(
      /^hostingEndedOn/,
    );
    await patch({ hostingEndedOn: '2019-03-11' }, tokens.operator).expect(200);

    const march = (await post('/api/v1/rebills', { period: '2019-03' }).expect(201)).body;
    const [line] = (await get(`/api/v1/rebills/${march.id}/departments/${d.id}`)).body.lines.items;
    // 2 U × 10/31 month = 0.645161 U·month × 150 = 96.774… → 96.77.
    expect([line.quantity, line.amount]).toEqual(['0.645161', '96.77']);
    expect((await get(`/api/v1/rebills/${march.id}/lines/${line.id}`).expect(200)).body.consistent).toBe(
      true,
    );
    const april = (await post('/api/v1/rebills', { period: '2019-04' }).expect(201)).body;
    expect((await get(`/api/v1/rebills/${april.id}/departments/${d.id}`)).body.lines.items).toEqual([]);
    const audit = await t.dataSource.query(
      `SELECT after->>'hostingEndedOn' AS ended FROM audit_entries WHERE action = 'host.update' AND target_id = $1`,
      [host.id],
    );
    expect(audit).toEqual([{ ended: '2019-03-11' }]);
  });

  it('does not reverse hosted equipment of a finalised month in the next draft', async () => {
    const { t, b, tree } = world;
    const d = await t.world.department('department', tree.city);
    await hostedHost(d.id, '2U', '2018-06-01T00:00:00Z');
    const june = (await post('/api/v1/rebills', { period: '2018-06' }).expect(201)).body;
    await post(`/api/v1/rebills/${june.id}/finalize`, {}).expect(200);
    const july = (await post('/api/v1/rebills', { period: '2018-07' }).expect(201)).body;
    const lines = (await get(`/api/v1/rebills/${july.id}/departments/${d.id}`)).body.lines.items;
    // Nothing about June changed: July bills its own 2 U × 150 and corrects nothing.
    expect(lines.map((l: Record<string, string>) => [l.kind, l.month, l.amount])).toEqual([
      ['usage', '2018-07', '300.00'],
    ]);
    // A card back-dated to 16 June doubles the price: half of June is corrected, 2 U × 15/30 × 150.
    const [{ id: hostingPool }] = await t.dataSource.query(
      `SELECT id FROM pools WHERE tier = 'self-managed' ORDER BY created_at, id LIMIT 1`,
    );
    await b.card(hostingPool, '2018-06-16', { rackUnitMonth: '300' });
    await post('/api/v1/rebills', { period: '2018-07' }).expect(201);
    const again = (await get(`/api/v1/rebills/${july.id}/departments/${d.id}`)).body.lines.items;
    expect(again.map((l: Record<string, string>) => [l.kind, l.month, l.amount]).sort()).toEqual([
      ['adjustment', '2018-06', '-150.00'],
      ['adjustment', '2018-06', '300.00'],
      ['usage', '2018-07', '600.00'],
    ]);
  });
});
