import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { rootLogger } from '../../common/logger.js';
import { MetricsService } from '../health/metrics.service.js';
import { JobName, type JobOutcome } from '../jobs/job-catalogue.js';
import { OnJob } from '../jobs/on-job.decorator.js';
import { amountsOf, COLUMN, QUOTA_DIMENSIONS, type QuotaDimension } from './quota-dimensions.js';
import { stateColumns, stateOf } from './quota-sql.js';

export interface DriftDifference {
  departmentId: string;
  dimension: QuotaDimension;
  /** used: the cached counter against the ledger's sum; allocated: against the children's limits. */
  counter: 'used' | 'allocated';
  cached: number;
  actual: number;
}

export interface DriftReport {
  checkedAt: string;
  departments: number;
  clean: boolean;
  differences: DriftDifference[];
}

const sums = (alias: string, column: (stem: string) => string) =>
  QUOTA_DIMENSIONS.map((d) => `coalesce(sum(${column(COLUMN[d])}), 0) AS ${alias}_${COLUMN[d]}`).join(', ');

// One statement, one snapshot: counters and ledger commit together, so a clean system reads clean
// even while reservations are running.
const CHECK = `
  WITH ledger AS (
    SELECT department_id, ${sums('ledger', (s) => s)} FROM quota_ledger GROUP BY department_id
  ), children AS (
    SELECT d.parent_id AS department_id, ${sums('children', (s) => `c.${s}_limit`)}
    FROM department_quotas c JOIN departments d ON d.id = c.department_id
    WHERE d.parent_id IS NOT NULL GROUP BY d.parent_id
  )
  SELECT coalesce(q.department_id, l.department_id) AS department_id, ${stateColumns('q')},
         ${QUOTA_DIMENSIONS.map((d) => `l.ledger_${COLUMN[d]}, ch.children_${COLUMN[d]}`).join(', ')}
  FROM department_quotas q
  FULL JOIN ledger l ON l.department_id = q.department_id
  LEFT JOIN children ch ON ch.department_id = coalesce(q.department_id, l.department_id)`;

/**
 * Recomputes every department's use from the ledger and its allocation from its children's limits,
 * and reports where the cached counters differ. Peers' counters drift and need repair tools; ours are
 * written in the same statement as the ledger entry, and this check is how we know that stays true.
 */
@Injectable()
export class QuotaDriftService {
  private readonly log = rootLogger().child({ component: 'quota-drift' });
  private readonly differences: Gauge;
  private readonly checkedAt: Gauge;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    metrics: MetricsService,
  ) {
    this.differences = metrics.gauge(
      'govcloud_quota_drift_differences',
      'Quota counters that differ from their source at the last drift check',
      ['counter'],
    );
    this.checkedAt = metrics.gauge(
      'govcloud_quota_drift_checked_timestamp_seconds',
      'When the last quota drift check ran',
    );
  }

  async check(): Promise<DriftReport> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(CHECK);
    const differences: DriftDifference[] = [];
    for (const row of rows) {
      const cached = stateOf(row);
      const fromLedger = amountsOf(row, '', 'ledger_');
      const fromChildren = amountsOf(row, '', 'children_');
      const departmentId = row.department_id as string;
      for (const d of QUOTA_DIMENSIONS) {
        if (cached.used[d] !== fromLedger[d])
          differences.push({
            departmentId,
            dimension: d,
            counter: 'used',
            cached: cached.used[d],
            actual: fromLedger[d],
          });
        if (cached.allocated[d] !== fromChildren[d])
          differences.push({
            departmentId,
            dimension: d,
            counter: 'allocated',
            cached: cached.allocated[d],
            actual: fromChildren[d],
          });
      }
    }
    const report = {
      checkedAt: new Date().toISOString(),
      departments: rows.length,
      clean: differences.length === 0,
      differences,
    };
    for (const counter of ['used', 'allocated'] as const)
      this.differences.set({ counter }, differences.filter((x) => x.counter === counter).length);
    this.checkedAt.set(Date.now() / 1000);
    if (!report.clean) this.log.warn({ differences }, 'quota counters drifted from their sources');
    return report;
  }

  /** The periodic check the workers schedule; its result is the metric above. */
  @OnJob(JobName.QuotaDriftCheck)
  async scheduledCheck(): Promise<JobOutcome> {
    await this.check();
    return 'success';
  }
}
