import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../common/errors.js';
import {
  ALLOWED_TRANSITIONS,
  checkTransition,
  MIGRATION_STATUSES,
  VERIFICATION_CHECKS,
  type MigrationStatus,
} from './status-machine.js';

const allPassed = VERIFICATION_CHECKS.map((c) => ({ item: c.item, passed: true }));
const evidence = { note: 'reason', checklist: allPassed, archiveRef: 'DA-2026-001' };

describe('migration status machine', () => {
  const pairs = MIGRATION_STATUSES.flatMap((from) => MIGRATION_STATUSES.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s follows the table', (from, to) => {
    const subject = {
      status: from,
      blockedFrom: from === 'blocked' ? ('planned' as const) : null,
      classification: 'classified' as const,
    };
    const allowed = from === 'blocked' ? to === 'planned' : ALLOWED_TRANSITIONS[from].includes(to);
    const attempt = () => checkTransition(subject, { to, ...evidence });
    if (allowed) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(DomainError);
  });

  it('needs a reason to block, a complete checklist to finish verifying, a reference to archive', () => {
    const at = (status: MigrationStatus) => ({ status, blockedFrom: null });
    expect(() => checkTransition(at('planned'), { to: 'blocked' })).toThrow(/note/);
    expect(() => checkTransition(at('verifying'), { to: 'migrated', checklist: allPassed.slice(1) })).toThrow(
      /functions/,
    );
    expect(() =>
      checkTransition(at('verifying'), {
        to: 'migrated',
        checklist: allPassed.map((c) => ({ ...c, passed: c.item !== 'data' })),
      }),
    ).toThrow(/data/);
    expect(() => checkTransition(at('migrated'), { to: 'archived', archiveRef: ' ' })).toThrow(/archiveRef/);
  });

  it('exempts only classified systems', () => {
    expect(() =>
      checkTransition(
        { status: 'assessed', blockedFrom: null, classification: 'non-classified' },
        { to: 'exempted' },
      ),
    ).toThrow(/classified/);
  });
});
