import { DomainError, ErrorCode } from '../../common/errors.js';

/** The life cycle of an information system or host, from inventory to archive (DESIGN.md, "Life cycles"). */
export const MIGRATION_STATUSES = [
  'inventoried',
  'assessed',
  'planned',
  'migrating',
  'verifying',
  'migrated',
  'archived',
  'exempted',
  'retired',
  'blocked',
] as const;
export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/** Statuses from which work can be blocked, and to which a blocked subject returns. */
const WORKING: readonly MigrationStatus[] = ['inventoried', 'assessed', 'planned', 'migrating', 'verifying'];

/**
 * Every allowed transition, once. The service, the 409 answer and the tests all read this table.
 * blocked returns only to the status it was blocked from (checked in checkTransition).
 */
export const ALLOWED_TRANSITIONS: Record<MigrationStatus, readonly MigrationStatus[]> = {
  inventoried: ['assessed', 'exempted', 'retired', 'blocked'],
  assessed: ['planned', 'exempted', 'retired', 'blocked'],
  planned: ['migrating', 'assessed', 'exempted', 'retired', 'blocked'],
  migrating: ['verifying', 'blocked'],
  // A failed verification sends the system back to migrating.
  verifying: ['migrated', 'migrating', 'blocked'],
  migrated: ['archived'],
  archived: [],
  exempted: [],
  retired: [],
  blocked: WORKING,
};

/** The functional-verification checklist (功能验证) every item of which must pass before "migrated". */
export const VERIFICATION_CHECKS = [
  { item: 'functions', label: '业务功能 business functions' },
  { item: 'data', label: '数据完整一致 data complete and consistent' },
  { item: 'performance', label: '性能 performance' },
  { item: 'security', label: '安全与等保 security and graded protection' },
  { item: 'users', label: '用户确认 user acceptance' },
] as const;

export interface ChecklistEntry {
  item: string;
  passed: boolean;
  note?: string;
}

export interface TransitionSubject {
  status: MigrationStatus;
  blockedFrom: MigrationStatus | null;
  /** Systems only; hosts have no classification of their own. */
  classification?: 'classified' | 'non-classified';
}

export interface TransitionInput {
  to: MigrationStatus;
  note?: string;
  checklist?: ChecklistEntry[];
  archiveRef?: string;
}

const refuse = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.InvalidTransition, message, details);

/** Throws InvalidTransition (409) unless the move is allowed and carries the evidence it needs. */
export function checkTransition(subject: TransitionSubject, input: TransitionInput): void {
  const { status } = subject;
  const allowed =
    status === 'blocked' && subject.blockedFrom ? [subject.blockedFrom] : ALLOWED_TRANSITIONS[status];
  if (!allowed.includes(input.to)) {
    throw refuse(
      `to: ${status} → ${input.to} is not allowed (allowed from ${status}: ${allowed.join(', ') || 'none'})`,
      { from: status, to: input.to, allowed },
    );
  }
  if (input.to === 'blocked' && !input.note?.trim()) throw refuse('note: blocking needs the reason in note');
  if (input.to === 'exempted' && subject.classification && subject.classification !== 'classified')
    throw refuse('to: only classified systems are exempted (they go to the e-government internal network)');
  if (input.to === 'migrated') {
    const passed = new Set((input.checklist ?? []).filter((c) => c.passed).map((c) => c.item));
    const missing = VERIFICATION_CHECKS.filter((c) => !passed.has(c.item)).map((c) => c.item);
    if (missing.length > 0)
      throw refuse(
        `checklist: the functional verification is not complete: ${missing.join(', ')} not passed`,
        {
          missing,
        },
      );
  }
  if (input.to === 'archived' && !input.archiveRef?.trim())
    throw refuse('archiveRef: archiving needs the archive record reference (档案编号)');
}

/** Statuses the reports count: done, in flight, out of scope, and the rest. */
export const MIGRATED_STATUSES: readonly MigrationStatus[] = ['migrated', 'archived'];
export const IN_FLIGHT_STATUSES: readonly MigrationStatus[] = ['migrating', 'verifying'];
export const EXEMPT_OR_RETIRED: readonly MigrationStatus[] = ['exempted', 'retired'];

/**
 * Why a system may not take this classification, or undefined: an exempted one went to the internal
 * network because it is classified, and exempted is final, so declassified it would stay in the
 * migration rate's denominator, pending for good.
 */
export function classificationRefusal(status: string, classification: string): string | undefined {
  return status === 'exempted' && classification !== 'classified'
    ? 'classification: an exempted system went to the internal network as classified, and stays so'
    : undefined;
}
