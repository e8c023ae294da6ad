/**
 * The resource life cycle, written once as data (DESIGN.md "Life cycles"). The services, the API's 409s
 * and the tests all read this table; nothing else decides whether a move is allowed.
 */
export const RESOURCE_STATES = [
  'requested',
  'queued',
  'provisioning',
  'running',
  'stopped',
  'deleting',
  'deleted',
  'failed',
] as const;
export type ResourceState = (typeof RESOURCE_STATES)[number];

export const TRANSITIONS: Record<ResourceState, readonly ResourceState[]> = {
  requested: ['queued', 'failed'],
  queued: ['provisioning', 'deleting', 'failed'],
  provisioning: ['running', 'deleting', 'failed'],
  running: ['stopped', 'deleting', 'failed'],
  stopped: ['running', 'deleting', 'failed'],
  // A delete that failed for good lands in failed; DELETE again (failed → deleting) retries it.
  deleting: ['deleted', 'failed'],
  deleted: [],
  failed: ['queued', 'deleting'],
};

export const canMove = (from: ResourceState, to: ResourceState) => TRANSITIONS[from].includes(to);

/** What the owner wants; the worker converges the real object towards it. */
export const DESIRED_STATES = ['running', 'stopped', 'deleted'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** States in which a resource holds pool capacity and quota. */
export const HOLDING_STATES: readonly ResourceState[] = RESOURCE_STATES.filter((s) => s !== 'deleted');
