import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The finalised runs a draft's corrections were measured against, recorded when it is computed: a run
 * finalised since, of any period, may carry the same corrections, so finalising the draft then would
 * charge them twice. Drafts computed before this record none ('{}'): they must be recomputed before finalising.
 */
export class RebillRunsFinalizedRunsSeen1797000000000 implements MigrationInterface {
  name = 'RebillRunsFinalizedRunsSeen1797000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "rebill_runs" ADD "finalized_runs_seen" uuid array NOT NULL DEFAULT '{}'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rebill_runs" DROP COLUMN "finalized_runs_seen"`);
  }
}
