import { MigrationInterface, QueryRunner } from 'typeorm';

export class Provisioning1796027488675 implements MigrationInterface {
  name = 'Provisioning1796027488675';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "pools" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, "type" character varying(16) NOT NULL, "tier" character varying(16) NOT NULL, "connection_sealed" text NOT NULL, "capacity" jsonb NOT NULL, "allocated" jsonb NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6708c86fc389259de3ee43230ee" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_pools_name" ON "pools"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "reconcile_events" ("id" BIGSERIAL NOT NULL, "pool_id" uuid NOT NULL, "resource_id" uuid, "object_name" character varying(253), "action" character varying(16) NOT NULL, "detail" text, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "PK_3a95701129c27535fd7506380e3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_reconcile_events_pool" ON "reconcile_events"  ("pool_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "resource_events" ("id" BIGSERIAL NOT NULL, "resource_id" uuid NOT NULL, "department_id" uuid NOT NULL, "pool_id" uuid NOT NULL, "type" character varying(16) NOT NULL, "from_state" character varying(16), "to_state" character varying(16) NOT NULL, "spec" jsonb NOT NULL, "reason" text, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "PK_6101696fa0ef166a732605d128f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_resource_events_occurred" ON "resource_events"  ("occurred_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_resource_events_department" ON "resource_events"  ("department_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_resource_events_resource" ON "resource_events"  ("resource_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "resources" ("id" uuid NOT NULL, "department_id" uuid NOT NULL, "pool_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "name" character varying(63) NOT NULL, "spec" jsonb NOT NULL, "labels" jsonb NOT NULL DEFAULT '{}', "critical" boolean NOT NULL DEFAULT false, "state" character varying(16) NOT NULL, "desired_state" character varying(16) NOT NULL, "failure_reason" text, "observed" jsonb, "requested_by" uuid, "idempotency_key" character varying(200), "request_hash" character(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_632484ab9dff41bba94f9b7c85e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_resources_idempotency" ON "resources"  ("requested_by", "idempotency_key") WHERE idempotency_key IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_resources_live_name" ON "resources"  ("department_id", "name") WHERE state <> 'deleted'`,
    );
    await queryRunner.query(`CREATE INDEX "ix_resources_pool_state" ON "resources"  ("pool_id", "state") `);
    await queryRunner.query(
      `CREATE INDEX "ix_resources_department_state" ON "resources"  ("department_id", "state") `,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_events" ADD CONSTRAINT "fk_resource_events_resource" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resources" ADD CONSTRAINT "fk_resources_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resources" ADD CONSTRAINT "fk_resources_pool" FOREIGN KEY ("pool_id") REFERENCES "pools"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Billing meters resource_events: history is appended, never rewritten.
    await queryRunner.query(`CREATE FUNCTION resource_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'resource_events is append-only: % refused', TG_OP USING ERRCODE = '42501'; END $$`);
    await queryRunner.query(
      `CREATE TRIGGER resource_events_no_update BEFORE UPDATE OR DELETE ON "resource_events" FOR EACH ROW EXECUTE FUNCTION resource_events_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER resource_events_no_truncate BEFORE TRUNCATE ON "resource_events" FOR EACH STATEMENT EXECUTE FUNCTION resource_events_append_only()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER resource_events_no_truncate ON "resource_events"`);
    await queryRunner.query(`DROP TRIGGER resource_events_no_update ON "resource_events"`);
    await queryRunner.query(`DROP FUNCTION resource_events_append_only()`);
    await queryRunner.query(`ALTER TABLE "resources" DROP CONSTRAINT "fk_resources_pool"`);
    await queryRunner.query(`ALTER TABLE "resources" DROP CONSTRAINT "fk_resources_department"`);
    await queryRunner.query(`ALTER TABLE "resource_events" DROP CONSTRAINT "fk_resource_events_resource"`);
    await queryRunner.query(`DROP INDEX "public"."ix_resources_department_state"`);
    await queryRunner.query(`DROP INDEX "public"."ix_resources_pool_state"`);
    await queryRunner.query(`DROP INDEX "public"."uq_resources_live_name"`);
    await queryRunner.query(`DROP INDEX "public"."uq_resources_idempotency"`);
    await queryRunner.query(`DROP TABLE "resources"`);
    await queryRunner.query(`DROP INDEX "public"."ix_resource_events_resource"`);
    await queryRunner.query(`DROP INDEX "public"."ix_resource_events_department"`);
    await queryRunner.query(`DROP INDEX "public"."ix_resource_events_occurred"`);
    await queryRunner.query(`DROP TABLE "resource_events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_reconcile_events_pool"`);
    await queryRunner.query(`DROP TABLE "reconcile_events"`);
    await queryRunner.query(`DROP INDEX "public"."uq_pools_name"`);
    await queryRunner.query(`DROP TABLE "pools"`);
  }
}
