import type { TestApp } from './harness.js';
import { bearer, unique } from './harness.js';
import { VERIFICATION_CHECKS, type MigrationStatus } from '../../src/modules/migration/status-machine.js';

/** A valid system body; tests override only what they are about. */
export const aSystem = (departmentId: string, extra: Record<string, unknown> = {}) => ({
  departmentId,
  name: unique('系统'),
  classification: 'non-classified',
  protectionLevel: 2,
  architecture: 'B/S',
  userCount: 100,
  ...extra,
});

export const aHost = (departmentId: string, extra: Record<string, unknown> = {}) => ({
  departmentId,
  hostname: unique('host'),
  kind: 'physical',
  cpuCores: 8,
  memoryGib: 32,
  diskGib: 500,
  ...extra,
});

export const PASSED_CHECKLIST = VERIFICATION_CHECKS.map((c) => ({ item: c.item, passed: true }));

/** The evidence each step needs, so walking a subject along its happy path is one call per step. */
export const evidenceFor = (to: MigrationStatus) => ({
  to,
  note: `${to} 证明材料`,
  ...(to === 'migrated' ? { checklist: PASSED_CHECKLIST } : {}),
  ...(to === 'archived' ? { archiveRef: `DA-${unique('ref')}` } : {}),
});

export const HAPPY_PATH: MigrationStatus[] = [
  'assessed',
  'planned',
  'migrating',
  'verifying',
  'migrated',
  'archived',
];

/** Walks a system or host along the happy path up to and including `until`. */
export async function walk(
  t: TestApp,
  token: string,
  kind: 'systems' | 'hosts',
  id: string,
  until: MigrationStatus,
) {
  for (const to of HAPPY_PATH.slice(0, HAPPY_PATH.indexOf(until) + 1)) {
    await t
      .http()
      .post(`/api/v1/${kind}/${id}/transitions`)
      .set(bearer(token))
      .send(evidenceFor(to))
      .expect(200);
  }
}
