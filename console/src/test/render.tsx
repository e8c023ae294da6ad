import { fireEvent, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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

/** Types into an input at once (a change event): typing key by key is slow on a loaded machine. */
export const fill = (input: HTMLElement, value: string) => fireEvent.change(input, { target: { value } });

/** Clicks and other gestures, without the delay between events user-event waits by default. */
export const user = userEvent.setup({ delay: null });
