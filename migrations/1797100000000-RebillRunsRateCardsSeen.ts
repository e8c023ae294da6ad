import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The terms of the rate cards a draft was priced against, recorded when it is computed: a card edited,
 * added or removed since would be frozen at prices no line of the finalised run carries. Drafts computed
 * before this record none ('{}'): they must be recomputed before finalising.
 */
export class RebillRunsRateCardsSeen1797100000000 implements MigrationInterface {
  name = 'RebillRunsRateCardsSeen1797100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rebill_runs" ADD "rate_cards_seen" jsonb NOT NULL DEFAULT '{}'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rebill_runs" DROP COLUMN "rate_cards_seen"`);
  }
}
