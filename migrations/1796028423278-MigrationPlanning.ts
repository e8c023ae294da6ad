import { MigrationInterface, QueryRunner } from 'typeorm';

export class MigrationPlanning1796028423278 implements MigrationInterface {
  name = 'MigrationPlanning1796028423278';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "migration_targets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "due_date" date NOT NULL, "percentage" numeric(5,2) NOT NULL, "scope_department_id" uuid, "label" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9907cb140dae0fd1484a69991ee" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "migration_waves" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "target_date" date NOT NULL, "note" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cbe7986316ba3981a768eaccf50" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_migration_waves_name" ON "migration_waves"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "system_resources" ("system_id" uuid NOT NULL, "resource_id" uuid NOT NULL, CONSTRAINT "PK_de0074ea8530e9195c9c3bce7eb" PRIMARY KEY ("system_id", "resource_id"))`,
    );
    await queryRunner.query(`ALTER TABLE "information_systems" ADD "wave_id" uuid`);
    await queryRunner.query(`CREATE INDEX "ix_systems_wave" ON "information_systems"  ("wave_id") `);
    await queryRunner.query(
      `ALTER TABLE "information_systems" ADD CONSTRAINT "fk_systems_wave" FOREIGN KEY ("wave_id") REFERENCES "migration_waves"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "migration_targets" ADD CONSTRAINT "fk_migration_targets_scope" FOREIGN KEY ("scope_department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "system_resources" ADD CONSTRAINT "fk_system_resources_system" FOREIGN KEY ("system_id") REFERENCES "information_systems"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "system_resources" ADD CONSTRAINT "fk_system_resources_resource" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "system_resources" DROP CONSTRAINT "fk_system_resources_resource"`);
    await queryRunner.query(`ALTER TABLE "system_resources" DROP CONSTRAINT "fk_system_resources_system"`);
    await queryRunner.query(`ALTER TABLE "migration_targets" DROP CONSTRAINT "fk_migration_targets_scope"`);
    await queryRunner.query(`ALTER TABLE "information_systems" DROP CONSTRAINT "fk_systems_wave"`);
    await queryRunner.query(`DROP INDEX "public"."ix_systems_wave"`);
    await queryRunner.query(`ALTER TABLE "information_systems" DROP COLUMN "wave_id"`);
    await queryRunner.query(`DROP TABLE "system_resources"`);
    await queryRunner.query(`DROP INDEX "public"."uq_migration_waves_name"`);
    await queryRunner.query(`DROP TABLE "migration_waves"`);
    await queryRunner.query(`DROP TABLE "migration_targets"`);
  }
}
