import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer index entries per provisioned resource:
 * - a resource's moves (queued → provisioning → running …) no longer touch an indexed column, so
 *   PostgreSQL updates the row in place (HOT) without a new entry in each of its indexes: the live-name
 *   index keys on `deleted_at` instead of the state, the department and pool indexes no longer carry
 *   the state (the reconciler's per-pool reads use a pool index of the live rows), and pages keep room
 *   for the new versions (fillfactor);
 * - `deleted_at` is set by the database when a row becomes deleted, whichever version of the code
 *   wrote the state (an older worker still running during a rollout does not know the column);
 * - the audit log's time index is a BRIN (entries are appended in time order), and its actor index
 *   leaves out the system's own entries (no actor), which nobody looks up by actor.
 */
export class ProvisioningWritesLean1796600000000 implements MigrationInterface {
  name = 'ProvisioningWritesLean1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "resources" ADD "deleted_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `UPDATE "resources" r SET "deleted_at" = coalesce(
         (SELECT max(e.occurred_at) FROM resource_events e WHERE e.resource_id = r.id AND e.to_state = 'deleted'),
         r.updated_at)
       WHERE r.state = 'deleted'`,
    );
    await queryRunner.query(`CREATE FUNCTION resources_deleted_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.deleted_at := now();
        RETURN NEW;
      END $$`);
    // WHEN is checked without calling the function: a move to any other state costs next to nothing.
    await queryRunner.query(
      `CREATE TRIGGER resources_deleted_at BEFORE INSERT OR UPDATE OF state ON "resources" FOR EACH ROW
       WHEN (NEW.state = 'deleted' AND NEW.deleted_at IS NULL) EXECUTE FUNCTION resources_deleted_at()`,
    );
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
    await queryRunner.query(
      `CREATE INDEX "ix_resources_pool_live" ON "resources" ("pool_id") WHERE deleted_at IS NULL`,
    );
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
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_audit_actor"`);
    await queryRunner.query(`CREATE INDEX "ix_audit_actor" ON "audit_entries" ("actor_id")`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_at"`);
    await queryRunner.query(`CREATE INDEX "ix_audit_at" ON "audit_entries" ("at")`);

    await queryRunner.query(`ALTER TABLE "resources" RESET (fillfactor)`);
    await queryRunner.query(`DROP INDEX "public"."ix_resources_pool_live"`);
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
    await queryRunner.query(`DROP TRIGGER resources_deleted_at ON "resources"`);
    await queryRunner.query(`DROP FUNCTION resources_deleted_at()`);
    await queryRunner.query(`ALTER TABLE "resources" DROP COLUMN "deleted_at"`);
  }
}
