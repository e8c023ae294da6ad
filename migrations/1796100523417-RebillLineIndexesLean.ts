import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A draft writes a city's month of lines in one statement, and each index on rebill_lines costs about as
 * much as the lines themselves. Two of the four go: the department index is the prefix of a key index
 * that now starts with the department (a key names its department, so it stays unique), and the rate-card
 * index gives way to rebill_run_cards, the few cards each run used.
 */
export class RebillLineIndexesLean1796100523417 implements MigrationInterface {
  name = 'RebillLineIndexesLean1796100523417';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "rebill_run_cards" ("rate_card_id" uuid NOT NULL, "run_id" uuid NOT NULL, CONSTRAINT "pk_rebill_run_cards" PRIMARY KEY ("rate_card_id", "run_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebill_run_cards" ADD CONSTRAINT "fk_rebill_run_cards_card" FOREIGN KEY ("rate_card_id") REFERENCES "rate_cards"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebill_run_cards" ADD CONSTRAINT "fk_rebill_run_cards_run" FOREIGN KEY ("run_id") REFERENCES "rebill_runs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `INSERT INTO "rebill_run_cards" ("rate_card_id", "run_id") SELECT DISTINCT "rate_card_id", "run_id" FROM "rebill_lines"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_rebill_lines_card"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rebill_lines_department"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rebill_lines_key"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_rebill_lines_key" ON "rebill_lines" ("run_id", "department_id", "key") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_rebill_lines_key"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rebill_lines_key" ON "rebill_lines" ("run_id", "key") `);
    await queryRunner.query(
      `CREATE INDEX "ix_rebill_lines_department" ON "rebill_lines" ("run_id", "department_id") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_rebill_lines_card" ON "rebill_lines" ("rate_card_id") `);
    await queryRunner.query(`DROP TABLE "rebill_run_cards"`);
  }
}
