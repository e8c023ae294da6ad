import { describe, expect, it } from '@jest/globals';
import { screen, waitFor } from '@testing-library/react';
import { mockApi } from '../test/api-mock';
import { fill, renderAt, user } from '../test/render';

const renderApp = (path = '/') => renderAt(path);

describe('login', () => {
  it('is in Chinese by default and switches every label to English', async () => {
    renderApp();
    expect(await screen.findByLabelText('用户名')).toBeTruthy();
    expect(screen.getByLabelText('密码')).toBeTruthy();
    expect(screen.getByRole('button', { name: '登 录' })).toBeTruthy();
    await user.click(screen.getByText('English'));
    expect(await screen.findByLabelText('Username')).toBeTruthy();
    expect(screen.getByLabelText('Password')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByText('用户名')).toBeNull();
    expect(localStorage.getItem('govcloud.lang')).toBe('en');
  });

  it('shows the field an API validation error names next to that field', async () => {
    mockApi(() => ({
      status: 400,
      body: {
        statusCode: 400,
        error: 'InvalidInput',
        message: 'username must be shorter than or equal to 64 characters',
      },
    }));
    renderApp();
    fill(await screen.findByLabelText('用户名'), 'someone');
    fill(screen.getByLabelText('密码'), 'secret');
    await user.click(screen.getByRole('button', { name: '登 录' }));
    const message = await screen.findByText('username must be shorter than or equal to 64 characters');
    expect(message.closest('.ant-form-item')?.textContent).toContain('用户名');
  });

  it('says until when an account is locked after too many failed logins', async () => {
    const until = '2026-11-30T08:15:00.000Z';
    mockApi(({ path }) =>
      path === '/auth/login'
        ? {
            status: 429,
            body: {
              statusCode: 429,
              error: 'TooManyRequests',
              message: `username: locked after too many failed logins, until ${until}`,
              field: 'username',
              lockedUntil: until,
              retryAfterSeconds: 900,
            },
          }
        : undefined,
    );
    renderApp();
    fill(await screen.findByLabelText('用户名'), 'zhang');
    fill(screen.getByLabelText('密码'), 'right');
    await user.click(screen.getByRole('button', { name: '登 录' }));
    expect(
      await screen.findByText(
        `连续登录失败次数过多，账号已锁定至 ${new Date(until).toLocaleString('zh-CN')}`,
      ),
    ).toBeTruthy();
  });

  it('shows a refused login above the form, and signs in to the role’s first screen', async () => {
    let password = 'wrong';
    mockApi(({ path, body }) => {
      if (path === '/auth/login') {
        password = (body as { password: string }).password;
        return password === 'right'
          ? {
              body: {
                accessToken: 'tok',
                user: { userId: 'u1', username: 'zhang', role: 'dept-admin', departmentId: 'd1' },
              },
            }
          : {
              status: 401,
              body: { statusCode: 401, error: 'Unauthorized', message: 'username or password is wrong' },
            };
      }
      if (path.startsWith('/resources')) return { body: { items: [], total: 0 } };
      return undefined;
    });
    renderApp('/resources');
    fill(await screen.findByLabelText('用户名'), 'zhang');
    fill(screen.getByLabelText('密码'), 'wrong');
    await user.click(screen.getByRole('button', { name: '登 录' }));
    expect(await screen.findByText('用户名或密码错误')).toBeTruthy();

    fill(screen.getByLabelText('密码'), 'right');
    await user.click(screen.getByRole('button', { name: '登 录' }));
    await waitFor(() => expect(screen.getByTestId('current-user').textContent).toBe('zhang'));
    expect(screen.getByText('部门管理员')).toBeTruthy();
    expect(JSON.parse(sessionStorage.getItem('govcloud.session')!).accessToken).toBe('tok');
  });
});
