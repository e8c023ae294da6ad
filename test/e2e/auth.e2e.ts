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
      .send({ username, password: 'Long-enough-pw1', role: 'finance', displayName: '财政局 张三' })
      .expect(201);
    expect(created.body).not.toHaveProperty('passwordHash');
    await login(username, 'Long-enough-pw1').expect(200);

    const missing = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(tokens.operator))
      .send({ username: unique('da'), password: 'Long-enough-pw1', role: 'dept-admin' })
      .expect(400);
    expect(missing.body.message).toMatch(/^departmentId/);
    const short = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(tokens.operator))
      .send({ username: unique('da'), password: 'short', role: 'auditor' })
      .expect(400);
    expect(short.body.message).toMatch(/^password/);
    // Long is not enough: three kinds of character (等保 2.0), on creation as on a change.
    const plain = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(tokens.operator))
      .send({ username: unique('da'), password: 'onlylowercaseletters', role: 'auditor' })
      .expect(400);
    expect(plain.body.message).toBe('password must mix three of: lower case, upper case, digits, symbols');
    await t
      .http()
      .patch(`/api/v1/users/${created.body.id}`)
      .set(bearer(tokens.operator))
      .send({ password: 'lowercase-and-symbols' })
      .expect(400);
    for (const token of [tokens.finance, tokens.auditor, tokens.deptAdmin]) {
      await t
        .http()
        .post('/api/v1/users')
        .set(bearer(token))
        .send({ username: unique('x'), password: 'Long-enough-pw1', role: 'auditor' })
        .expect(403);
    }
    const list = await t.http().get('/api/v1/users').set(bearer(tokens.auditor)).expect(200);
    expect(list.body.every((u: Record<string, unknown>) => !('passwordHash' in u))).toBe(true);
    await t.http().get('/api/v1/users').set(bearer(tokens.deptAdmin)).expect(403);
  });

  describe('failed logins in a row lock the account (LOGIN_MAX_FAILURES 5, LOGIN_LOCK_MINUTES 15)', () => {
    const aUser = async () => {
      const username = unique('locked');
      const res = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(tokens.operator))
        .send({ username, password: 'Right-password-1', role: 'finance' })
        .expect(201);
      return { username, id: res.body.id as string };
    };
    const auditOf = async (id: string) =>
      (await t.dataSource.query(
        `SELECT action, actor_name, after FROM audit_entries WHERE target_id = $1 AND action LIKE 'auth.%' ORDER BY id`,
        [id],
      )) as Array<{ action: string; actor_name: string; after: Record<string, unknown> }>;

    it('locks at the fifth failure, refuses even the right password with 429, and audits every attempt', async () => {
      const { username, id } = await aUser();
      // Concurrent failures each count: none is lost to a race.
      const wrong = await Promise.all([1, 2, 3, 4].map(() => login(username, 'wrong')));
      expect(wrong.map((r) => r.status)).toEqual([401, 401, 401, 401]);
      await login(username, 'wrong').expect(401);
      const refused = await login(username, 'Right-password-1').expect(429);
      expect(refused.body.message).toMatch(/^username: locked after too many failed logins, until /);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(14 * 60);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);

      const audit = await auditOf(id);
      expect(audit.map((a) => a.action)).toEqual([
        ...Array(5).fill('auth.login-failed'),
        'auth.login-locked',
        'auth.login-failed',
      ]);
      expect(audit.every((a) => a.actor_name === username)).toBe(true);
      expect(audit[5].after).toMatchObject({ failedLogins: 5 });
      expect(audit[6].after).toEqual({ reason: 'locked' });
      const [listed] = (
        await t.http().get('/api/v1/users').set(bearer(tokens.auditor)).expect(200)
      ).body.filter((u: { id: string }) => u.id === id);
      expect(listed).toMatchObject({ failedLogins: 5, lockedUntil: refused.body.lockedUntil });
    });

    it('a lock that has run out lets the right password in, and a success starts the count again', async () => {
      const { username, id } = await aUser();
      for (let i = 0; i < 5; i++) await login(username, 'wrong').expect(401);
      await login(username, 'Right-password-1').expect(429);
      await t.dataSource.query(`UPDATE users SET locked_until = now() - interval '1 second' WHERE id = $1`, [
        id,
      ]);
      // The first failure after the lock counts from one again, not from six.
      await login(username, 'wrong').expect(401);
      const [after] = await t.dataSource.query(
        'SELECT failed_logins, locked_until FROM users WHERE id = $1',
        [id],
      );
      expect(after).toEqual({ failed_logins: 1, locked_until: null });
      await login(username, 'Right-password-1').expect(200);
      for (let i = 0; i < 4; i++) await login(username, 'wrong').expect(401);
      await login(username, 'Right-password-1').expect(200);
      expect((await auditOf(id)).at(-1)).toMatchObject({ action: 'auth.login', actor_name: username });
    });

    it('an operator lifts the lock by setting a new password', async () => {
      const { username, id } = await aUser();
      for (let i = 0; i < 5; i++) await login(username, 'wrong').expect(401);
      await login(username, 'Right-password-1').expect(429);
      await t
        .http()
        .patch(`/api/v1/users/${id}`)
        .set(bearer(tokens.operator))
        .send({ password: 'A-new-password-1' })
        .expect(200);
      await login(username, 'A-new-password-1').expect(200);
    });

    it('an unknown name is audited as an anonymous failure and locks nothing', async () => {
      const username = unique('nobody');
      for (let i = 0; i < 6; i++) await login(username, 'wrong').expect(401);
      const audit = await auditOf(username);
      expect(audit).toHaveLength(6);
      expect(audit[0]).toEqual({
        action: 'auth.login-failed',
        actor_name: 'anonymous',
        after: { reason: 'unknown user' },
      });
    });
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
    const ask = (name: string, expiresAt: string) =>
      t.http().post('/api/v1/auth/tokens').set(bearer(tokens.finance)).send({ name, expiresAt });
    const past = await ask('born expired', '2000-01-01T00:00:00Z').expect(400);
    expect(past.body.message).toBe('expiresAt must be in the future');
    const created = await ask('short-lived', new Date(Date.now() + 1000).toISOString()).expect(201);
    await t.http().get('/api/v1/auth/me').set(bearer(created.body.token)).expect(200);
    await t.dataSource.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      created.body.id,
    ]);
    await t.http().get('/api/v1/auth/me').set(bearer(created.body.token)).expect(401);
    await t.http().get('/api/v1/auth/me').set(bearer('gct_nonsense')).expect(401);
    await t.http().get('/api/v1/auth/me').set(bearer('a.b.c')).expect(401);
    await t.http().get('/api/v1/auth/me').set('Authorization', 'Basic Zm9vOmJhcg==').expect(401);
    const bad = await ask('x', 'soon').expect(400);
    expect(bad.body.message).toMatch(/^expiresAt/);
    // PostgreSQL reads no UTC offset beyond ±15:59.
    const farOffset = await ask('x', '2999-01-01T00:00:00+19:00').expect(400);
    expect(farOffset.body.message).toMatch(/^expiresAt must/);
  });
});
