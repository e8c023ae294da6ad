import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A finalised run's lines were frozen against update and delete only: a line added to its set (a
 * compute still writing a set that was published and finalised meanwhile, a hand-made INSERT) would
 * have changed what finance had signed off. The database now refuses that too, as it does the rest.
 */
export class RebillLinesNoInsertIntoFinalized1796700000000 implements MigrationInterface {
  name = 'RebillLinesNoInsertIntoFinalized1796700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION rebill_lines_no_insert_into_finalized() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM rebill_runs r
                   WHERE r.state = 'finalized' AND r.line_set_id IN (SELECT line_set_id FROM new_rows)) THEN
          RAISE EXCEPTION 'finalized rebill is immutable: % refused', TG_OP USING ERRCODE = '42501';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER rebill_lines_no_insert AFTER INSERT ON "rebill_lines" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rebill_lines_no_insert_into_finalized()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER rebill_lines_no_insert ON "rebill_lines"`);
    await queryRunner.query(`DROP FUNCTION rebill_lines_no_insert_into_finalized()`);
  }
}
