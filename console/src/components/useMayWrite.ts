import { useAuth } from '../auth';
import type { Role } from '../api';

/**
 * Whether the signed-in role may take a screen's write actions (the roles the API's @Roles allows).
 * Screens other roles may read (auditors read everything) hide those actions when this is false.
 */
export function useMayWrite(roles: readonly Role[]): boolean {
  const { user } = useAuth();
  return user !== null && roles.includes(user.role);
}
