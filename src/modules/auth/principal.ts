export const ROLES = ['operator', 'finance', 'dept-admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved once per request from a JWT or an API token. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /** Set for dept-admin: the root of the subtree it may see and change. */
  departmentId: string | null;
}
