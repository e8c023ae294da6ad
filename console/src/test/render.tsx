import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { AppRoutes, Providers } from '../App';
import type { Principal } from '../api';

/** The whole console (providers and routes) opened at `path`. */
export const renderAt = (path: string) =>
  render(
    <Providers>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
      </MemoryRouter>
    </Providers>,
  );

/** A signed-in session, as the login page leaves it. */
export function signIn(user: Partial<Principal> = {}): void {
  sessionStorage.setItem(
    'govcloud.session',
    JSON.stringify({
      accessToken: 'tok',
      user: { userId: 'u1', username: 'zhang', role: 'dept-admin', departmentId: 'd1', ...user },
    }),
  );
}
