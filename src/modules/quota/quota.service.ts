import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { conflict, invalid, notFound } from '../../common/errors.js';
import {
  checkAmounts,
  fill,
  firstExceeded,
  quotaExceeded,
  type PartialAmounts,
  type QuotaState,
} from './quota-amounts.js';
import { QUOTA_DIMENSIONS, type QuotaAmounts } from './quota-dimensions.js';
import type { SqlParams } from '../../common/sql-params.js';
import {
  appendEntry,
  commitEntry,
  commitInsert,
  lockQuotaRow,
  lockQuotaRows,
  reserveEntries,
  reserveEntry,
  resourceLedger,
} from './quota-sql.js';

export interface ReserveInput {
  departmentId: string;
  resourceId: string;
  amounts: PartialAmounts;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkIds(input: { departmentId?: unknown; resourceId?: unknown }): void {
  if (input.departmentId !== undefined && !UUID.test(String(input.departmentId)))
    throw invalid('departmentId', 'must be a UUID');
  if (!UUID.test(String(input.resourceId))) throw invalid('resourceId', 'must be a UUID');
}

/**
 * Admission of several new resources in one transaction: each `take` decides one request's against the locked
 * rows less what the earlier ones took (QuotaExceeded leaves no trace), `write` records those taken.
 */
export class QuotaBatch {
  private readonly taken: Array<{ departmentId: string; resourceId: string; amounts: QuotaAmounts }> = [];

  constructor(private readonly states: Map<string, QuotaState & { code: string }>) {}

  /** Takes `amounts` for each of the resources, all or none (QuotaExceeded names what they ask together). */
  take(input: { departmentId: string; resourceIds: string[]; amounts: PartialAmounts }): void {
    for (const resourceId of input.resourceIds) checkIds({ departmentId: input.departmentId, resourceId });
    const each = fill(checkAmounts(input.amounts, 'amounts'));
    const asked = Object.fromEntries(
      QUOTA_DIMENSIONS.map((d) => [d, each[d] * input.resourceIds.length]),
    ) as QuotaAmounts;
    const state = this.states.get(input.departmentId);
    if (!state) throw notFound('department', input.departmentId);
    const over = firstExceeded(state, asked);
    if (over) throw quotaExceeded({ id: input.departmentId, code: state.code }, over, asked[over], state);
    for (const d of QUOTA_DIMENSIONS) state.used[d] += asked[d];
    for (const resourceId of input.resourceIds)
      this.taken.push({ departmentId: input.departmentId, resourceId, amounts: each });
  }

  /** The CTEs recording what was taken, for the statement that writes the resources. */
  write(params: SqlParams): string {
    return reserveEntries(params, this.taken);
  }
}

/**
 * Admission: the one way quota is taken and given back. Every method runs inside the caller's
 * transaction (the resource's own change commits with its ledger entry or not at all) and locks the
 * department's quota row first. No ancestor is locked: under the allocation model a department's
 * limit is already carved out of its parent's, so its own row is all a reservation must check.
 *
 * Every method is idempotent per resource: reserve and release are recorded at most once
 * (ledger key resource + action) and adjust moves a resource to totals, so a retried job is a no-op.
 * Nothing is written before the check passes, so a caller that catches QuotaExceeded and goes on
 * in the same transaction (say, to mark its resource failed) leaves no trace in the ledger.
 */
@Injectable()
export class QuotaService {
  /** Locks the departments' rows for a batch of new resources' reservations (see QuotaBatch). */
  async batch(manager: EntityManager, departmentIds: string[]): Promise<QuotaBatch> {
    return new QuotaBatch(await lockQuotaRows(manager, [...new Set(departmentIds)]));
  }

  /** Takes `amounts` for the resource, or throws QuotaExceeded (409) naming the first dimension that does not fit. */
  async reserve(manager: EntityManager, input: ReserveInput): Promise<void> {
    checkIds(input);
    const asked = fill(checkAmounts(input.amounts, 'amounts'));
    const state = await reserveEntry(manager, input.departmentId, input.resourceId, asked);
    if (state.taken || state.reserved) return;
    // Not taken: a twin call for this resource committed while we waited for the lock, or it did not fit.
    if ((await resourceLedger(manager, input.resourceId)).reserved) return;
    const over = firstExceeded(state, asked);
    if (!over) throw new Error(`quota reservation for ${input.resourceId} neither written nor refused`);
    throw quotaExceeded({ id: input.departmentId, code: state.code }, over, asked[over], state);
  }

  /**
   * Marks the reservation as in use (the resource came up); amounts do not move, so neither the
   * department's counter nor its lock is touched: one statement, which writes the entry only while the
   * reservation stands. Idempotent.
   */
  async commit(manager: EntityManager, resourceId: string): Promise<void> {
    checkIds({ resourceId });
    if (await commitEntry(manager, resourceId)) return;
    const entries = await resourceLedger(manager, resourceId);
    if (!entries.reserved) throw conflict(`resource ${resourceId} holds no quota reservation to commit`);
    if (entries.released) throw conflict(`resource ${resourceId} has already released its quota`);
  }

  /**
   * The commits of the resources the query `resources` yields (a column resource_id), as a statement to run with the caller's own change (see commitInsert): idempotent, unchecked.
   */
  commitInsert(resources: string): string {
    return commitInsert(resources);
  }

  /**
   * Gives back everything the resource holds, when it is deleted (a failed resource keeps its
   * reservation, so a retry needs no new admission). Exactly once:
   * a second call finds the release entry and does nothing; a resource that never reserved is a no-op.
   */
  async release(manager: EntityManager, resourceId: string): Promise<void> {
    checkIds({ resourceId });
    const first = await resourceLedger(manager, resourceId);
    if (!first.departmentId || first.released) return;
    await lockQuotaRow(manager, first.departmentId);
    // Re-read under the lock: adjustments committed meanwhile are included in what goes back.
    const entries = await resourceLedger(manager, resourceId);
    const back = Object.fromEntries(QUOTA_DIMENSIONS.map((d) => [d, -entries.held[d]])) as QuotaAmounts;
    await appendEntry(manager, first.departmentId, resourceId, 'release', back);
  }

  /**
   * Resize: `amounts` are the resource's new totals for the dimensions named (others unchanged). The
   * increase is reserved against the limit, the decrease given back; a retry finds nothing left to move.
   * A resource with no reservation yet is reserved.
   */
  async adjust(manager: EntityManager, input: ReserveInput): Promise<void> {
    checkIds(input);
    const totals = checkAmounts(input.amounts, 'amounts');
    const state = await lockQuotaRow(manager, input.departmentId, input.resourceId);
    const entries = await resourceLedger(manager, input.resourceId);
    if (!entries.reserved) return this.reserve(manager, input);
    if (entries.departmentId !== input.departmentId)
      throw conflict(`resource ${input.resourceId} holds quota in department ${entries.departmentId}`);
    if (entries.released) throw conflict(`resource ${input.resourceId} has already released its quota`);
    const delta = fill({});
    for (const d of QUOTA_DIMENSIONS) if (totals[d] !== undefined) delta[d] = totals[d] - entries.held[d];
    if (QUOTA_DIMENSIONS.every((d) => delta[d] === 0)) return;
    const over = firstExceeded(state, delta);
    if (over)
      throw quotaExceeded(
        { id: input.departmentId, code: state.code },
        over,
        delta[over],
        state,
        'resize asks',
      );
    await appendEntry(manager, input.departmentId, input.resourceId, 'adjust', delta);
  }
}
