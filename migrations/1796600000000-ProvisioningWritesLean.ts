import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer index entries per provisioned resource, none of them needed by a read:
 * - a resource's moves (queued → provisioning → running …) no longer touch an indexed column, so
 *   PostgreSQL updates the row in place (HOT) without a new entry in each of its indexes: the live-name
 *   index keys on `deleted_at` (set once, on the move to deleted) instead of the state, the department
 *   and pool indexes no longer carry the state, and pages keep room for the new versions (fillfactor);
 * - the audit log's time index is a BRIN (entries are appended in time order), and its actor index
 *   leaves out the system's own entries (no actor), which nobody looks up by actor;
 * - the quota ledger's resource index duplicated the (resource, action) unique index that serves every
 *   lookup by resource.
 */
export class ProvisioningWritesLean1796600000000 implements MigrationInterface {
  name = 'ProvisioningWritesLean1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "resources" ADD "deleted_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "resources" SET "deleted_at" = "updated_at" WHERE "state" = 'deleted'`);
    await queryRunner.query(
      `ALTER TABLE "resources" ADD CONSTRAINT "ck_resources_deleted_at" CHECK ((state = 'deleted') = (deleted_at IS NOT NULL))`,
    );
    await queryRunner.query(`DROP INDEX "public"."uq_resources_live_name"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_resources_live_name" ON "resources" ("department_id", "name") WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_resources_department_state"`);
    await queryRunner.query(`CREATE INDEX "ix_resources_department" ON "resources" ("department_id")`);
    await queryRunner.query(`DROP INDEX "public"."ix_resources_pool_state"`);
    await queryRunner.query(`CREATE INDEX "ix_resources_pool" ON "resources" ("pool_id")`);
    // Half of each page is kept for new versions: rows are inserted a batch at a time and all moved soon
    // after, so a page needs room for a new version of every row on it (the old ones are pruned by then).
    await queryRunner.query(`ALTER TABLE "resources" SET (fillfactor = 50)`);

    await queryRunner.query(`DROP INDEX "public"."ix_audit_at"`);
    await queryRunner.query(
      `CREATE INDEX "ix_audit_at" ON "audit_entries" USING brin ("at") WITH (autosummarize = on)`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_audit_actor"`);
    await queryRunner.query(
      `CREATE INDEX "ix_audit_actor" ON "audit_entries" ("actor_id") WHERE actor_id IS NOT NULL`,
    );

    await queryRunner.query(`DROP INDEX "public"."ix_quota_ledger_resource"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_quota_ledger_resource" ON "quota_ledger" ("resource_id")`);

    await queryRunner.query(`DROP INDEX "public"."ix_audit_actor"`);
    await queryRunner.query(`CREATE INDEX "ix_audit_actor" ON "audit_entries" ("actor_id")`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_at"`);
    await queryRunner.query(`CREATE INDEX "ix_audit_at" ON "audit_entries" ("at")`);

    await queryRunner.query(`ALTER TABLE "resources" RESET (fillfactor)`);
    await queryRunner.query(`DROP INDEX "public"."ix_resources_pool"`);
    await queryRunner.query(`CREATE INDEX "ix_resources_pool_state" ON "resources" ("pool_id", "state")`);
    await queryRunner.query(`DROP INDEX "public"."ix_resources_department"`);
    await queryRunner.query(
      `CREATE INDEX "ix_resources_department_state" ON "resources" ("department_id", "state")`,
    );
    await queryRunner.query(`DROP INDEX "public"."uq_resources_live_name"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_resources_live_name" ON "resources" ("department_id", "name") WHERE state <> 'deleted'`,
    );
    await queryRunner.query(`ALTER TABLE "resources" DROP CONSTRAINT "ck_resources_deleted_at"`);
    await queryRunner.query(`ALTER TABLE "resources" DROP COLUMN "deleted_at"`);
  }
}
