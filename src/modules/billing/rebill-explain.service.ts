import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { RateCard } from './entities/rate-card.entity.js';
import {
  lineKey,
  meterHosted,
  meterResource,
  priceLines,
  rackUnitsOf,
  UnpricedTierError,
  UnpricedUsageError,
  type MeterEvent,
  type PricedLine,
  type UsageInterval,
} from './metering.js';
import { HOSTED_EQUIPMENT } from './rebill-sql.js';
import { parsePeriod } from './period.js';
import { RebillQueryService } from './rebill-query.service.js';
import { termsOf } from './rate-cards.service.js';

/**
 * "Where does this line come from?": the resource's events, the rate card, and the intervals the
 * metering model (metering.ts) derives from them, recomputed here independently of the SQL that wrote
 * the line; `consistent` says whether both agree.
 */
@Injectable()
export class RebillExplainService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly query: RebillQueryService,
  ) {}

  async explain(principal: Principal, runId: string, lineId: string) {
    const run = await this.query.run(runId);
    const line = await this.query.line(principal, run, lineId);
    const card = await this.dataSource.getRepository(RateCard).findOneByOrFail({ id: line.rateCardId });
    const cards = (await this.dataSource.getRepository(RateCard).findBy({ poolId: line.poolId })).map(
      termsOf,
    );
    const month = parsePeriod(line.month);
    // A usage line was metered up to the run's end; an adjustment re-meters its whole (ended) month.
    const until = line.kind === 'usage' ? run.computedUntil : month.end;
    const hosted = line.dimension === 'rackUnit';
    const rows: Array<MeterEvent & { type: string; fromState: string | null; reason: string | null }> = hosted
      ? []
      : await this.dataSource.query(
          `SELECT id::text AS id, resource_id AS "resourceId", department_id AS "departmentId", pool_id AS "poolId",
                  type, from_state AS "fromState", to_state AS "toState", spec, reason,
                  date_trunc('milliseconds', occurred_at) AS "occurredAt"
           FROM resource_events WHERE resource_id = $1 AND occurred_at < $2 ORDER BY occurred_at, id`,
          [line.resourceId, until],
        );
    // Hosted equipment: the host, its rack units, and the migration step that moved it in.
    const [host] = hosted
      ? await this.dataSource.query(
          `SELECT h.id, h.hostname, h.department_id AS "departmentId", h.rack_unit AS "rackUnit", m."from", m."to"
           FROM (${HOSTED_EQUIPMENT}) m JOIN hosts h ON h.id = m.id WHERE h.id = $2`,
          [until, line.resourceId],
        )
      : [];
    const originalKey = line.kind === 'usage' ? line.key : line.key.split('|').slice(2).join('|');
    const window = { from: month.from, to: until };
    // A draft's cards may have been edited since it was computed (a card no longer in force, a tier
    // no longer priced): the line still stands as written, and is explained as one that today's cards
    // cannot recompute, so finance sees why and recomputes the draft.
    let intervals: UsageInterval[] = [];
    let recomputed: PricedLine | undefined;
    let reason: string | null = null;
    try {
      intervals = (
        host
          ? meterHosted(
              { ...host, poolId: line.poolId, rackUnits: rackUnitsOf(host.rackUnit) },
              cards,
              window,
            )
          : meterResource(rows, cards, window)
      ).filter((i) => lineKey({ ...i, month: line.month }) === originalKey);
      [recomputed] = priceLines(intervals, cards);
    } catch (error) {
      if (!(error instanceof UnpricedUsageError || error instanceof UnpricedTierError)) throw error;
      reason = `the rate cards in force today cannot recompute this line: ${error.message}`;
    }
    const adjusts = line.adjustsRunId
      ? {
          rebillId: line.adjustsRunId,
          lineId: line.adjustsLineId,
          key: originalKey,
          original: line.adjustsLineId
            ? await this.query.line(principal, await this.query.run(line.adjustsRunId), line.adjustsLineId)
            : null,
        }
      : null;
    return {
      line,
      rebill: { id: run.id, period: run.period, state: run.state, computedUntil: run.computedUntil },
      rateCard: { ...termsOf(card), name: card.name, tenderRef: card.tenderRef },
      window,
      hostedEquipment: host ? { ...host, rackUnits: rackUnitsOf(host.rackUnit) } : null,
      events: rows.map((e) => ({
        id: e.id,
        type: e.type,
        fromState: e.fromState,
        toState: e.toState,
        spec: e.spec,
        reason: e.reason,
        occurredAt: e.occurredAt,
      })),
      intervals: intervals.map((i) => ({
        from: i.from,
        to: i.to,
        quantity: i.quantity.toFixed(),
        eventId: i.eventId,
      })),
      recomputed: recomputed
        ? {
            quantity: recomputed.quantity.toFixed(6),
            unitPrice: recomputed.unitPrice.toFixed(),
            amount: recomputed.amount.toFixed(2),
          }
        : null,
      adjusts,
      /** Why there is nothing recomputed, when the line cannot be recomputed; null otherwise. */
      reason,
      consistent:
        line.kind === 'usage'
          ? recomputed !== undefined && recomputed.amount.toFixed(2) === line.amount
          : null,
    };
  }
}
