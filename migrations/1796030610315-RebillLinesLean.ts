import { MigrationInterface, QueryRunner } from 'typeorm';

export class RebillLinesLean1796030610315 implements MigrationInterface {
  name = 'RebillLinesLean1796030610315';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rebill_lines" DROP CONSTRAINT "fk_rebill_lines_run"`);
    await queryRunner.query(`ALTER TABLE "rebill_lines" DROP CONSTRAINT "fk_rebill_lines_card"`);
    // One check per statement instead of one per row: deleting a draft's million lines stays cheap.
    await queryRunner.query(`DROP TRIGGER rebill_lines_immutable ON "rebill_lines"`);
    await queryRunner.query(`CREATE FUNCTION rebill_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM old_rows o JOIN rebill_runs r ON r.id = o.run_id WHERE r.state = 'finalized') THEN
                RAISE EXCEPTION 'finalized rebill is immutable: % refused', TG_OP USING ERRCODE = '42501';
              END IF;
              RETURN NULL;
            END $$`);
    await queryRunner.query(
      `CREATE TRIGGER rebill_lines_no_update AFTER UPDATE ON "rebill_lines" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rebill_lines_frozen()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER rebill_lines_no_delete AFTER DELETE ON "rebill_lines" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rebill_lines_frozen()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER rebill_lines_no_delete ON "rebill_lines"`);
    await queryRunner.query(`DROP TRIGGER rebill_lines_no_update ON "rebill_lines"`);
    await queryRunner.query(`DROP FUNCTION rebill_lines_frozen()`);
    await queryRunner.query(
      `CREATE TRIGGER rebill_lines_immutable BEFORE UPDATE OR DELETE ON "rebill_lines" FOR EACH ROW EXECUTE FUNCTION rebill_finalized_immutable()`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebill_lines" ADD CONSTRAINT "fk_rebill_lines_card" FOREIGN KEY ("rate_card_id") REFERENCES "rate_cards"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebill_lines" ADD CONSTRAINT "fk_rebill_lines_run" FOREIGN KEY ("run_id") REFERENCES "rebill_runs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}
