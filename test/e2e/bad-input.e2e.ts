// Bodies and URLs a careless or hostile client sends: each answers 4xx in the API's error shape, with a
// request id and a message naming what is wrong; none reaches the database to fail there.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';
import { PRICES } from '../support/billing.js';
import { aHost, aRoom, aSystem } from '../support/inventory.js';

describe('bad input is refused by name', () => {
  let t: TestApp;
  let operator: string;

  beforeAll(async () => {
    t = await startApp();
    operator = await t.world.token('operator');
  });
  afterAll(() => t.close());

  // The bytes go out as given: superagent would serialise a Buffer as JSON.
  const post = (body: string | Buffer, type = 'application/json') =>
    t
      .http()
      .post('/api/v1/departments')
      .set(bearer(operator))
      .set('Content-Type', type)
      .serialize((raw: unknown) => raw as string)
      .send(body as string);

  const refused = (
    res: { status: number; body: Record<string, unknown> },
    status: number,
    message: RegExp,
  ) => {
    expect({ status: res.status, message: res.body.message }).toEqual({
      status,
      message: expect.stringMatching(message),
    });
    expect(res.body).toMatchObject({
      statusCode: status,
      error: expect.any(String),
      requestId: expect.any(String),
    });
  };

  it('malformed JSON, a bare JSON value, a body over the limit', async () => {
    refused(await post('{"code":'), 400, /^body: is not valid JSON/);
    refused(await post('null'), 400, /^body: is not valid JSON/);
    refused(await post(JSON.stringify({ name: 'x'.repeat(1_100_000) })), 413, /^body: larger than/);
  });

  it('bytes that are not UTF-8, a charset or encoding it cannot read', async () => {
    refused(await post(Buffer.from('{"code":"a","name":"\xff\xfe","kind":"city"}', 'latin1')), 400, /UTF-8/);
    refused(await post('{}', 'application/json; charset=latin1'), 415, /^content-type: /);
    const gzip = await t
      .http()
      .post('/api/v1/departments')
      .set(bearer(operator))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'compress')
      .send('{}');
    refused(gzip, 415, /^content-encoding: /);
  });

  it('NUL characters and lone surrogates, in values, keys, the query and the path', async () => {
    const body = (name: string) => JSON.stringify({ code: unique('c'), name, kind: 'city' });
    refused(await post(body('a\u0000b')), 400, /^name: must not contain the NUL/);
    refused(await post(body('a\ud800b')), 400, /^name: is not valid Unicode/);
    refused(await post('{"code":"x","name":"y","kind":"city","\\u0000":1}'), 400, /the key/);
    const query = await t.http().get('/api/v1/departments?kind=%00').set(bearer(operator));
    refused(query, 400, /NUL/);
  });

  it('null where a column takes none, and JSON nested absurdly deep', async () => {
    const dept = await t.world.department('city');
    const patch = (body: object) =>
      t.http().patch(`/api/v1/departments/${dept.id}`).set(bearer(operator)).send(body);
    refused(await patch({ name: null }), 400, /^name /);
    refused(await patch({ critical: null }), 400, /^critical /);
    const user = await t.world.user('finance');
    const patchUser = (body: object) =>
      t.http().patch(`/api/v1/users/${user.id}`).set(bearer(operator)).send(body);
    refused(await patchUser({ password: null }), 400, /^password /);
    refused(await patchUser({ disabled: null }), 400, /^disabled /);
    await patch({ nameEn: null }).expect(200); // null clears a clearable field
    refused(
      await post(`${'{"name":'.repeat(5000)}1${'}'.repeat(5000)}`),
      400,
      /^name\.name.*nested more than/,
    );
  });

  it('a nested object that is missing, null or not an object', async () => {
    const pool = { name: '供应商池', type: 'fake', tier: 'provider', connection: '' };
    const create = (body: object) => t.http().post('/api/v1/pools').set(bearer(operator)).send(body);
    refused(await create(pool), 400, /^capacity /);
    refused(await create({ ...pool, capacity: null }), 400, /^capacity /);
    refused(await create({ ...pool, capacity: [1] }), 400, /^capacity /);
  });

  it('a resource’s spec missing, an array or with null sizes; a pool’s connection null or JSON null', async () => {
    const dept = await t.world.department('city');
    const resource = { departmentId: dept.id, kind: 'container', name: unique('r') };
    const spec = { vcpu: 1, memoryGiB: 1, storageGiB: 0, image: 'nginx:1.27' };
    const create = (body: object) => t.http().post('/api/v1/resources').set(bearer(operator)).send(body);
    refused(await create(resource), 400, /^spec /);
    refused(await create({ ...resource, spec: [] }), 400, /^spec /);
    refused(
      await create({ ...resource, spec: { ...spec, image: 'debian 12; rm -rf /' } }),
      400,
      /^spec\.image /,
    );
    refused(await create({ ...resource, spec: { ...spec, image: 'a\u0001b' } }), 400, /^spec\.image /);
    refused(await create({ ...resource, spec: { ...spec, replicas: null } }), 400, /^spec\.replicas /);
    // Keys the validation layer would drop without a word are refused by name.
    refused(
      await create({ ...resource, spec, labels: { constructor: 'x' } }),
      400,
      /^labels\.constructor \(the key\)/,
    );
    refused(await post('{"name":"x","__proto__":{"admin":true}}'), 400, /^__proto__ \(the key\)/);
    // Validation comes before the resource is looked up: any id will do.
    const resize = (body: object) =>
      t.http().patch(`/api/v1/resources/${randomUUID()}`).set(bearer(operator)).send(body);
    refused(await resize({}), 400, /^spec /);
    refused(await resize({ spec: [{ vcpu: 3 }] }), 400, /^spec /);
    // A null size would free quota and pool capacity while the object kept its size.
    refused(await resize({ spec: { vcpu: null, memoryGiB: null } }), 400, /^spec\.vcpu /);
    const patchPool = (body: object) =>
      t.http().patch(`/api/v1/pools/${randomUUID()}`).set(bearer(operator)).send(body);
    refused(await patchPool({ connection: null }), 400, /^connection /);
    refused(await patchPool({ enabled: null }), 400, /^enabled /);
    const pool = {
      name: unique('池'),
      type: 'fake',
      tier: 'provider',
      connection: 'null',
      capacity: { vcpu: 1, memoryGiB: 1, storageGiB: 1 },
    };
    refused(await t.http().post('/api/v1/pools').set(bearer(operator)).send(pool), 400, /^connection: /);
  });

  it('a number beyond what its column holds is refused by name, not by the database', async () => {
    const tree = await t.world.city();
    const send = (method: 'post' | 'get', url: string, body?: object) =>
      t.http()[method](url).set(bearer(operator)).send(body);
    const big = 1e12;
    for (const field of ['memoryGib', 'diskGib', 'powerWatts'])
      refused(
        await send('post', '/api/v1/hosts', aHost(tree.dept.id, { [field]: big })),
        400,
        new RegExp(`^${field} `),
      );
    for (const field of ['dataVolumeGb', 'userCount'])
      refused(
        await send('post', '/api/v1/systems', aSystem(tree.dept.id, { [field]: big })),
        400,
        new RegExp(`^${field} `),
      );
    const room = (await send('post', '/api/v1/server-rooms', aRoom(tree.dept.id)).expect(201)).body;
    const lease = {
      provider: '中国电信',
      bandwidthMbps: big,
      monthlyFee: '2500.00',
      contractStart: '2025-01-01',
      contractEnd: '2027-06-30',
    };
    refused(await send('post', `/api/v1/server-rooms/${room.id}/leases`, lease), 400, /^bandwidthMbps /);
    // Equipment from a closed room joins a pool within the bounds of POST /pools/{id}/capacity.
    const transfer = { hostId: randomUUID(), poolId: randomUUID(), vcpu: big };
    refused(
      await send('post', `/api/v1/server-rooms/${room.id}/close`, { transfers: [transfer] }),
      400,
      /^transfers\.0\.vcpu /,
    );
    refused(await send('get', '/api/v1/audit?offset=99999999999999999999'), 400, /^offset /);
    refused(await send('get', '/api/v1/resources?offset=99999999999999999999'), 400, /^offset /);
  });

  it('a fraction JavaScript writes in exponent form (1e-7) is refused by name, not a 500', async () => {
    const tree = await t.world.city();
    const send = (url: string, body: object) => t.http().post(url).set(bearer(operator)).send(body);
    const target = { dueDate: '2030-12-31', percentage: 1e-7 };
    refused(await send('/api/v1/migration/targets', target), 400, /^percentage /);
    for (const field of ['floorAreaM2', 'itPowerKw', 'utilisationPercent', 'pue'])
      refused(
        await send('/api/v1/server-rooms', aRoom(tree.dept.id, { [field]: 1e-7 })),
        400,
        new RegExp(`^${field} `),
      );
    await send('/api/v1/server-rooms', aRoom(tree.dept.id, { floorAreaM2: 60.25, pue: 1.5 })).expect(201);
  });

  it('a day that does not exist (30 February) is refused by name, not by the database', async () => {
    const tree = await t.world.city();
    const host = (
      await t.http().post('/api/v1/hosts').set(bearer(operator)).send(aHost(tree.dept.id)).expect(201)
    ).body;
    refused(
      await t
        .http()
        .patch(`/api/v1/hosts/${host.id}`)
        .set(bearer(operator))
        .send({ hostingEndedOn: '2025-02-30' }),
      400,
      /^hostingEndedOn must be a real date$/,
    );
    // Validation comes before the pool is looked up: any id will do.
    const card = { poolId: randomUUID(), name: unique('价目'), effectiveFrom: '2025-02-30', prices: PRICES };
    refused(
      await t
        .http()
        .post('/api/v1/rate-cards')
        .set(bearer(await t.world.token('finance')))
        .send(card),
      400,
      /^effectiveFrom must be a real date$/,
    );
  });

  it('headers too large for Node answer in the error shape too', async () => {
    const res = await t
      .http()
      .get('/api/v1/auth/me')
      .set(bearer('x'.repeat(64 * 1024)));
    refused(res, 431, /^headers: larger than/);
  });

  it('stores emoji, CJK, RTL, combining and zero-width text exactly as sent', async () => {
    const name =
      "市公安局 😀 \u202eabc\u202c e\u0301 a\u200db \ufeff 𠀀 <script>alert(1)</script> '; DROP TABLE x;--";
    const created = await post(JSON.stringify({ code: unique('c'), name, kind: 'city' })).expect(201);
    const read = await t
      .http()
      .get(`/api/v1/departments/${created.body.id}`)
      .set(bearer(operator))
      .expect(200);
    expect(read.body.name).toBe(name);
  });
});
