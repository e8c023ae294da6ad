import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A draft's lines are written as a line set, on several connections at once (each meters a range of
 * resources), and a run shows the set it points to. Publishing a recomputed draft is then one update of
 * the run: readers never see half a recompute, and the sets a failed or crashed compute left behind are
 * found through rebill_line_sets and deleted by a later compute; a set a recompute replaced is kept a
 * while (superseded_at) for readers still paging it.
 */
export class RebillLineSets1796500000000 implements MigrationInterface {
  name = 'RebillLineSets1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "rebill_line_sets" ("id" uuid NOT NULL, "period" character(7) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "superseded_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_rebill_line_sets" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_rebill_line_sets_period" ON "rebill_line_sets" ("period") `);
    await queryRunner.query(
      `INSERT INTO "rebill_line_sets" ("id", "period", "created_at") SELECT "id", "period", "created_at" FROM "rebill_runs"`,
    );
    await queryRunner.query(`ALTER TABLE "rebill_runs" ADD "line_set_id" uuid`);
    // Finalised runs too: the column is new, nothing they billed changes.
    await queryRunner.query(`ALTER TABLE "rebill_runs" DISABLE TRIGGER "rebill_runs_immutable"`);
    await queryRunner.query(`UPDATE "rebill_runs" SET "line_set_id" = "id"`);
    await queryRunner.query(`ALTER TABLE "rebill_runs" ENABLE TRIGGER "rebill_runs_immutable"`);
    await queryRunner.query(`ALTER TABLE "rebill_runs" ALTER COLUMN "line_set_id" SET NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "rebill_runs" ADD CONSTRAINT "uq_rebill_runs_line_set" UNIQUE ("line_set_id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebill_runs" ADD CONSTRAINT "fk_rebill_runs_line_set" FOREIGN KEY ("line_set_id") REFERENCES "rebill_line_sets"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "rebill_lines" RENAME COLUMN "run_id" TO "line_set_id"`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION rebill_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM old_rows o JOIN rebill_runs r ON r.line_set_id = o.line_set_id
                         WHERE r.state = 'finalized') THEN
                RAISE EXCEPTION 'finalized rebill is immutable: % refused', TG_OP USING ERRCODE = '42501';
              END IF;
              RETURN NULL;
            END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Only the lines runs show survive: a run's id names its lines again.
    await queryRunner.query(
      `DELETE FROM "rebill_lines" l WHERE NOT EXISTS (SELECT 1 FROM "rebill_runs" r WHERE r."line_set_id" = l."line_set_id")`,
    );
    await queryRunner.query(`ALTER TABLE "rebill_lines" DISABLE TRIGGER "rebill_lines_no_update"`);
    await queryRunner.query(
      `UPDATE "rebill_lines" l SET "line_set_id" = r."id" FROM "rebill_runs" r WHERE r."line_set_id" = l."line_set_id" AND r."id" <> r."line_set_id"`,
    );
    await queryRunner.query(`ALTER TABLE "rebill_lines" ENABLE TRIGGER "rebill_lines_no_update"`);
    await queryRunner.query(`ALTER TABLE "rebill_lines" RENAME COLUMN "line_set_id" TO "run_id"`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION rebill_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM old_rows o JOIN rebill_runs r ON r.id = o.run_id WHERE r.state = 'finalized') THEN
                RAISE EXCEPTION 'finalized rebill is immutable: % refused', TG_OP USING ERRCODE = '42501';
              END IF;
              RETURN NULL;
            END $$`);
    await queryRunner.query(`ALTER TABLE "rebill_runs" DROP CONSTRAINT "fk_rebill_runs_line_set"`);
    await queryRunner.query(`ALTER TABLE "rebill_runs" DROP CONSTRAINT "uq_rebill_runs_line_set"`);
    await queryRunner.query(`ALTER TABLE "rebill_runs" DROP COLUMN "line_set_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rebill_line_sets_period"`);
    await queryRunner.query(`DROP TABLE "rebill_line_sets"`);
  }
}
