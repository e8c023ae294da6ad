import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795518225362 implements MigrationInterface {
  name = 'Foundation1795518225362';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "token_hash" character(64) NOT NULL, "prefix" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_api_tokens_user" ON "api_tokens"  ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_tokens_hash" ON "api_tokens"  ("token_hash") `);
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "display_name" character varying(200), "password_hash" character varying(255) NOT NULL, "role" character varying(16) NOT NULL, "department_id" uuid, "disabled" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_username" ON "users"  ("username") `);
    await queryRunner.query(
      `CREATE TABLE "audit_entries" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_id" uuid, "actor_name" character varying(64) NOT NULL, "role" character varying(16), "action" character varying(64) NOT NULL, "target_type" character varying(64) NOT NULL, "target_id" character varying(64) NOT NULL, "department_id" uuid, "before" jsonb, "after" jsonb, "request_id" character varying(64), CONSTRAINT "PK_6b1623bcad4d04530b76548d619" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_audit_at" ON "audit_entries"  ("at") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_actor" ON "audit_entries"  ("actor_id") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_department" ON "audit_entries"  ("department_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_audit_target" ON "audit_entries"  ("target_type", "target_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_exports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "requested_by" uuid NOT NULL, "filters" jsonb NOT NULL, "state" character varying(16) NOT NULL DEFAULT 'queued', "row_count" integer, "content" text, "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d8a811d45efd5c3bfa6916b1275" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox_messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "queue" character varying(64) NOT NULL, "job_name" character varying(64) NOT NULL, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "enqueued_at" TIMESTAMP WITH TIME ZONE, "done_at" TIMESTAMP WITH TIME ZONE, "last_error" text, CONSTRAINT "PK_0171348f527c64b137e4d4f5b66" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_pending" ON "outbox_messages"  ("created_at") WHERE done_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "departments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "name_en" character varying(200), "kind" character varying(16) NOT NULL, "parent_id" uuid, "path" text NOT NULL, "critical" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_839517a681a86bb84cbcc6a1e9d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_departments_code" ON "departments"  ("code") `);
    await queryRunner.query(`CREATE INDEX "ix_departments_parent" ON "departments"  ("parent_id") `);
    await queryRunner.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "fk_api_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "fk_users_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "departments" ADD CONSTRAINT "fk_departments_parent" FOREIGN KEY ("parent_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Subtree queries are prefix matches on the materialised path.
    await queryRunner.query(`CREATE INDEX "ix_departments_path" ON "departments" ("path" text_pattern_ops)`);
    // The audit log is append-only, enforced by the database itself.
    await queryRunner.query(`CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = '42501'; END $$`);
    await queryRunner.query(
      `CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON "audit_entries" FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON "audit_entries" FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_entries_no_truncate ON "audit_entries"`);
    await queryRunner.query(`DROP TRIGGER audit_entries_no_update ON "audit_entries"`);
    await queryRunner.query(`DROP FUNCTION audit_entries_append_only()`);
    await queryRunner.query(`DROP INDEX "public"."ix_departments_path"`);
    await queryRunner.query(`ALTER TABLE "departments" DROP CONSTRAINT "fk_departments_parent"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "fk_users_department"`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "fk_api_tokens_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_departments_parent"`);
    await queryRunner.query(`DROP INDEX "public"."uq_departments_code"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_pending"`);
    await queryRunner.query(`DROP TABLE "outbox_messages"`);
    await queryRunner.query(`DROP TABLE "audit_exports"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_target"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_department"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_actor"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_at"`);
    await queryRunner.query(`DROP TABLE "audit_entries"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_username"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_tokens_user"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
  }
}
