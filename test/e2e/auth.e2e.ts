import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, startApp, unique, type TestApp } from '../support/harness.js';

describe('login, users and API tokens', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<TestApp['world']['city']>>;
  let tokens: Awaited<ReturnType<TestApp['world']['tokens']>>;

  beforeAll(async () => {
    t = await startApp();
    tree = await t.world.city();
    tokens = await t.world.tokens(tree.dept.id, tree.other.id);
  });
  afterAll(() => t.close());

  const login = (username: string, password: string) =>
    t.http().post('/api/v1/auth/login').send({ username, password });

  it('bootstraps the admin operator from the environment and logs in', async () => {
    const res = await login('admin', 'admin-password-for-tests').expect(200);
    expect(res.body.user).toMatchObject({ username: 'admin', role: 'operator' });
    const me = await t.http().get('/api/v1/auth/me').set(bearer(res.body.accessToken)).expect(200);
    expect(me.body.role).toBe('operator');
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await login('admin', 'nope').expect(401);
    const unknown = await login('nobody', 'nope').expect(401);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('operators create users; a dept-admin needs a department; passwords never come back', async () => {
    const username = unique('finance');
    const created = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(tokens.operator))
      .send({ username, password: 'long-enough-pw', role: 'finance', displayName: '财政局 张三' })
      .expect(201);
    expect(created.body).not.toHaveProperty('passwordHash');
    await login(username, 'long-enough-pw').expect(200);

    const missing = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(tokens.operator))
      .send({ username: unique('da'), password: 'long-enough-pw', role: 'dept-admin' })
      .expect(400);
    expect(missing.body.message).toMatch(/^departmentId/);
    const short = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(tokens.operator))
      .send({ username: unique('da'), password: 'short', role: 'auditor' })
      .expect(400);
    expect(short.body.message).toMatch(/^password/);
    for (const token of [tokens.finance, tokens.auditor, tokens.deptAdmin]) {
      await t
        .http()
        .post('/api/v1/users')
        .set(bearer(token))
        .send({ username: unique('x'), password: 'long-enough-pw', role: 'auditor' })
        .expect(403);
    }
    const list = await t.http().get('/api/v1/users').set(bearer(tokens.auditor)).expect(200);
    expect(list.body.every((u: Record<string, unknown>) => !('passwordHash' in u))).toBe(true);
    await t.http().get('/api/v1/users').set(bearer(tokens.deptAdmin)).expect(403);
  });

  it('a disabled user is locked out at once, even with a valid token', async () => {
    const user = await t.world.user('finance');
    const token = await t.world.tokenOf(user);
    await t.http().get('/api/v1/auth/me').set(bearer(token)).expect(200);
    await t
      .http()
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(tokens.operator))
      .send({ disabled: true })
      .expect(200);
    await t.http().get('/api/v1/auth/me').set(bearer(token)).expect(401);
  });

  it('API tokens: shown once, stored hashed, usable, last-used recorded, revocable', async () => {
    const created = await t
      .http()
      .post('/api/v1/auth/tokens')
      .set(bearer(tokens.deptAdmin))
      .send({ name: 'CI 自动化' })
      .expect(201);
    const secret: string = created.body.token;
    expect(secret).toMatch(/^gct_/);
    const stored = await t.dataSource.query('SELECT token_hash FROM api_tokens WHERE id = $1', [
      created.body.id,
    ]);
    expect(stored[0].token_hash).not.toContain(secret.slice(4));

    const me = await t.http().get('/api/v1/auth/me').set(bearer(secret)).expect(200);
    expect(me.body.departmentId).toBe(tree.dept.id);
    const listed = await t.http().get('/api/v1/auth/tokens').set(bearer(tokens.deptAdmin)).expect(200);
    const row = listed.body.find((r: { id: string }) => r.id === created.body.id);
    expect(row.lastUsedAt).toBeTruthy();
    expect(row).not.toHaveProperty('token');

    await t
      .http()
      .delete(`/api/v1/auth/tokens/${created.body.id}`)
      .set(bearer(tokens.otherAdmin))
      .expect(404);
    await t.http().delete(`/api/v1/auth/tokens/${created.body.id}`).set(bearer(tokens.deptAdmin)).expect(204);
    await t.http().get('/api/v1/auth/me').set(bearer(secret)).expect(401);
  });

  it('refuses expired API tokens and garbage', async () => {
    const created = await t
      .http()
      .post('/api/v1/auth/tokens')
      .set(bearer(tokens.finance))
      .send({ name: 'short-lived', expiresAt: '2000-01-01T00:00:00Z' })
      .expect(201);
    await t.http().get('/api/v1/auth/me').set(bearer(created.body.token)).expect(401);
    await t.http().get('/api/v1/auth/me').set(bearer('gct_nonsense')).expect(401);
    await t.http().get('/api/v1/auth/me').set(bearer('a.b.c')).expect(401);
    await t.http().get('/api/v1/auth/me').set('Authorization', 'Basic Zm9vOmJhcg==').expect(401);
    const bad = await t
      .http()
      .post('/api/v1/auth/tokens')
      .set(bearer(tokens.finance))
      .send({ name: 'x', expiresAt: 'soon' })
      .expect(400);
    expect(bad.body.message).toMatch(/^expiresAt/);
  });
});
