import { MigrationInterface, QueryRunner } from 'typeorm';

export class Billing1796027560129 implements MigrationInterface {
  name = 'Billing1796027560129';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "rate_cards" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "pool_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "tender_ref" character varying(200), "effective_from" date NOT NULL, "currency" character(3) NOT NULL DEFAULT 'CNY', "vcpu_hour" numeric(18,6) NOT NULL, "memory_gib_hour" numeric(18,6) NOT NULL, "gpu_hour" numeric(18,6) NOT NULL, "public_ip_month" numeric(18,6) NOT NULL, "rack_unit_month" numeric(18,6) NOT NULL, "storage_billing" character varying(16) NOT NULL DEFAULT 'exists', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_54c4a5c4872b2339d848e5d9eb5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_rate_cards_pool_from" ON "rate_cards"  ("pool_id", "effective_from") `,
    );
    await queryRunner.query(
      `CREATE TABLE "rate_card_storage_prices" ("rate_card_id" uuid NOT NULL, "tier" character varying(32) NOT NULL, "gib_month" numeric(18,6) NOT NULL, CONSTRAINT "PK_c164a27073f2c3b059492c232f4" PRIMARY KEY ("rate_card_id", "tier"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "rebill_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "period" character(7) NOT NULL, "state" character varying(16) NOT NULL DEFAULT 'draft', "computed_until" TIMESTAMP WITH TIME ZONE NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "total" numeric(18,2) NOT NULL, "line_count" integer NOT NULL, "unpriced" jsonb NOT NULL DEFAULT '[]', "finalized_at" TIMESTAMP WITH TIME ZONE, "finalized_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c7a8a2c2cafece4801c8f0a728a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rebill_runs_period" ON "rebill_runs"  ("period") `);
    await queryRunner.query(
      `CREATE TABLE "rebill_lines" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "run_id" uuid NOT NULL, "key" text NOT NULL, "kind" character varying(16) NOT NULL, "month" character(7) NOT NULL, "department_id" uuid NOT NULL, "resource_id" uuid NOT NULL, "pool_id" uuid NOT NULL, "dimension" character varying(16) NOT NULL, "tier" character varying(32), "rate_card_id" uuid NOT NULL, "unit" character varying(16) NOT NULL, "usage_ms" numeric NOT NULL, "quantity" numeric(24,6) NOT NULL, "unit_price" numeric(18,6) NOT NULL, "amount" numeric(18,2) NOT NULL, "adjusts_run_id" uuid, "adjusts_line_id" uuid, "adjusts_key" text, CONSTRAINT "PK_0844638ceec9fb963efca251e89" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_rebill_lines_card" ON "rebill_lines"  ("rate_card_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_rebill_lines_department" ON "rebill_lines"  ("run_id", "department_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_rebill_lines_key" ON "rebill_lines"  ("run_id", "key") `,
    );
    await queryRunner.query(
      `ALTER TABLE "rate_cards" ADD CONSTRAINT "fk_rate_cards_pool" FOREIGN KEY ("pool_id") REFERENCES "pools"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rate_card_storage_prices" ADD CONSTRAINT "fk_rate_card_storage_card" FOREIGN KEY ("rate_card_id") REFERENCES "rate_cards"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebill_lines" ADD CONSTRAINT "fk_rebill_lines_run" FOREIGN KEY ("run_id") REFERENCES "rebill_runs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebill_lines" ADD CONSTRAINT "fk_rebill_lines_card" FOREIGN KEY ("rate_card_id") REFERENCES "rate_cards"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // A finalised rebill never changes: the database itself refuses to touch it or its lines.
    await queryRunner.query(`CREATE FUNCTION rebill_finalized_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE frozen boolean;
            BEGIN
              IF TG_TABLE_NAME = 'rebill_runs' THEN frozen := OLD.state = 'finalized';
              ELSE SELECT r.state = 'finalized' INTO frozen FROM rebill_runs r WHERE r.id = OLD.run_id; END IF;
              IF frozen THEN RAISE EXCEPTION 'finalized rebill is immutable: % refused', TG_OP USING ERRCODE = '42501'; END IF;
              RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
            END $$`);
    await queryRunner.query(
      `CREATE TRIGGER rebill_runs_immutable BEFORE UPDATE OR DELETE ON "rebill_runs" FOR EACH ROW EXECUTE FUNCTION rebill_finalized_immutable()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER rebill_lines_immutable BEFORE UPDATE OR DELETE ON "rebill_lines" FOR EACH ROW EXECUTE FUNCTION rebill_finalized_immutable()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER rebill_lines_immutable ON "rebill_lines"`);
    await queryRunner.query(`DROP TRIGGER rebill_runs_immutable ON "rebill_runs"`);
    await queryRunner.query(`DROP FUNCTION rebill_finalized_immutable()`);
    await queryRunner.query(`ALTER TABLE "rebill_lines" DROP CONSTRAINT "fk_rebill_lines_card"`);
    await queryRunner.query(`ALTER TABLE "rebill_lines" DROP CONSTRAINT "fk_rebill_lines_run"`);
    await queryRunner.query(
      `ALTER TABLE "rate_card_storage_prices" DROP CONSTRAINT "fk_rate_card_storage_card"`,
    );
    await queryRunner.query(`ALTER TABLE "rate_cards" DROP CONSTRAINT "fk_rate_cards_pool"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rebill_lines_key"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rebill_lines_department"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rebill_lines_card"`);
    await queryRunner.query(`DROP TABLE "rebill_lines"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rebill_runs_period"`);
    await queryRunner.query(`DROP TABLE "rebill_runs"`);
    await queryRunner.query(`DROP TABLE "rate_card_storage_prices"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rate_cards_pool_from"`);
    await queryRunner.query(`DROP TABLE "rate_cards"`);
  }
}
