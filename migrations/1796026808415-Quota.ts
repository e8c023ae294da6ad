import { MigrationInterface, QueryRunner } from 'typeorm';

export class Quota1796026808415 implements MigrationInterface {
  name = 'Quota1796026808415';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "department_quotas" ("department_id" uuid NOT NULL, "vcpu_limit" bigint NOT NULL DEFAULT '0', "memory_gib_limit" bigint NOT NULL DEFAULT '0', "storage_gib_limit" bigint NOT NULL DEFAULT '0', "gpu_limit" bigint NOT NULL DEFAULT '0', "public_ip_limit" bigint NOT NULL DEFAULT '0', "instances_limit" bigint NOT NULL DEFAULT '0', "vcpu_used" bigint NOT NULL DEFAULT '0', "memory_gib_used" bigint NOT NULL DEFAULT '0', "storage_gib_used" bigint NOT NULL DEFAULT '0', "gpu_used" bigint NOT NULL DEFAULT '0', "public_ip_used" bigint NOT NULL DEFAULT '0', "instances_used" bigint NOT NULL DEFAULT '0', "vcpu_allocated" bigint NOT NULL DEFAULT '0', "memory_gib_allocated" bigint NOT NULL DEFAULT '0', "storage_gib_allocated" bigint NOT NULL DEFAULT '0', "gpu_allocated" bigint NOT NULL DEFAULT '0', "public_ip_allocated" bigint NOT NULL DEFAULT '0', "instances_allocated" bigint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8da0787bd6764a99e78e2f1a474" PRIMARY KEY ("department_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "quota_ledger" ("id" BIGSERIAL NOT NULL, "department_id" uuid NOT NULL, "resource_id" uuid NOT NULL, "action" character varying(16) NOT NULL, "vcpu" bigint NOT NULL DEFAULT '0', "memory_gib" bigint NOT NULL DEFAULT '0', "storage_gib" bigint NOT NULL DEFAULT '0', "gpu" bigint NOT NULL DEFAULT '0', "public_ip" bigint NOT NULL DEFAULT '0', "instances" bigint NOT NULL DEFAULT '0', "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_be0a7370ac5385a608b91886606" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_quota_ledger_department" ON "quota_ledger"  ("department_id") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_quota_ledger_resource" ON "quota_ledger"  ("resource_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_quota_ledger_resource_action" ON "quota_ledger"  ("resource_id", "action") WHERE action <> 'adjust'`,
    );
    await queryRunner.query(
      `CREATE TABLE "quota_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "department_id" uuid NOT NULL, "limits" jsonb NOT NULL, "reason" text NOT NULL, "state" character varying(16) NOT NULL DEFAULT 'pending', "requested_by" uuid NOT NULL, "approved_limits" jsonb, "decided_by" uuid, "decided_at" TIMESTAMP WITH TIME ZONE, "decision_comment" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0254863e3802cd0432c545b9c5a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_quota_requests_department" ON "quota_requests"  ("department_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_quota_requests_state" ON "quota_requests"  ("state", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "department_quotas" ADD CONSTRAINT "fk_department_quotas_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quota_ledger" ADD CONSTRAINT "fk_quota_ledger_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quota_requests" ADD CONSTRAINT "fk_quota_requests_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quota_requests" ADD CONSTRAINT "fk_quota_requests_requested_by" FOREIGN KEY ("requested_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quota_requests" ADD CONSTRAINT "fk_quota_requests_decided_by" FOREIGN KEY ("decided_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // The allocation model's invariant, held by the database as a last line: a department never uses
    // plus hands out more than its limit, whatever the code above it does.
    await queryRunner.query(
      `ALTER TABLE "department_quotas" ADD CONSTRAINT "ck_department_quotas_within_limit" CHECK (vcpu_used >= 0 AND vcpu_allocated >= 0 AND vcpu_used + vcpu_allocated <= vcpu_limit AND memory_gib_used >= 0 AND memory_gib_allocated >= 0 AND memory_gib_used + memory_gib_allocated <= memory_gib_limit AND storage_gib_used >= 0 AND storage_gib_allocated >= 0 AND storage_gib_used + storage_gib_allocated <= storage_gib_limit AND gpu_used >= 0 AND gpu_allocated >= 0 AND gpu_used + gpu_allocated <= gpu_limit AND public_ip_used >= 0 AND public_ip_allocated >= 0 AND public_ip_used + public_ip_allocated <= public_ip_limit AND instances_used >= 0 AND instances_allocated >= 0 AND instances_used + instances_allocated <= instances_limit)`,
    );
    await queryRunner.query(
      `ALTER TABLE "quota_ledger" ADD CONSTRAINT "ck_quota_ledger_action" CHECK (action IN ('reserve', 'commit', 'release', 'adjust'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "quota_requests" ADD CONSTRAINT "ck_quota_requests_state" CHECK (state IN ('pending', 'approved', 'rejected'))`,
    );
    // The usage ledger is append-only, enforced by the database itself.
    await queryRunner.query(`CREATE FUNCTION quota_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'quota_ledger is append-only: % refused', TG_OP USING ERRCODE = '42501'; END $$`);
    await queryRunner.query(
      `CREATE TRIGGER quota_ledger_no_update BEFORE UPDATE OR DELETE ON "quota_ledger" FOR EACH ROW EXECUTE FUNCTION quota_ledger_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER quota_ledger_no_truncate BEFORE TRUNCATE ON "quota_ledger" FOR EACH STATEMENT EXECUTE FUNCTION quota_ledger_append_only()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "quota_ledger_no_truncate" ON "quota_ledger"`);
    await queryRunner.query(`DROP TRIGGER "quota_ledger_no_update" ON "quota_ledger"`);
    await queryRunner.query(`DROP FUNCTION quota_ledger_append_only()`);
    await queryRunner.query(`ALTER TABLE "quota_requests" DROP CONSTRAINT "fk_quota_requests_decided_by"`);
    await queryRunner.query(`ALTER TABLE "quota_requests" DROP CONSTRAINT "fk_quota_requests_requested_by"`);
    await queryRunner.query(`ALTER TABLE "quota_requests" DROP CONSTRAINT "fk_quota_requests_department"`);
    await queryRunner.query(`ALTER TABLE "quota_ledger" DROP CONSTRAINT "fk_quota_ledger_department"`);
    await queryRunner.query(
      `ALTER TABLE "department_quotas" DROP CONSTRAINT "fk_department_quotas_department"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_quota_requests_state"`);
    await queryRunner.query(`DROP INDEX "public"."ix_quota_requests_department"`);
    await queryRunner.query(`DROP TABLE "quota_requests"`);
    await queryRunner.query(`DROP INDEX "public"."uq_quota_ledger_resource_action"`);
    await queryRunner.query(`DROP INDEX "public"."ix_quota_ledger_resource"`);
    await queryRunner.query(`DROP INDEX "public"."ix_quota_ledger_department"`);
    await queryRunner.query(`DROP TABLE "quota_ledger"`);
    await queryRunner.query(`DROP TABLE "department_quotas"`);
  }
}
