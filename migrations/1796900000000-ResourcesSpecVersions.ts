import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which spec a resource's object has: every resize raises spec_version, and the worker records the
 * version its driver call brought the object to, so a resize whose driver call failed is retried, and
 * then fails, instead of passing for done. Rows made before (applied_spec_version null) count as
 * having their spec until their next resize.
 */
export class ResourcesSpecVersions1796900000000 implements MigrationInterface {
  name = 'ResourcesSpecVersions1796900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "resources" ADD "spec_version" integer NOT NULL DEFAULT 1`);
    await queryRunner.query(`ALTER TABLE "resources" ADD "applied_spec_version" integer`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "resources" DROP COLUMN "applied_spec_version"`);
    await queryRunner.query(`ALTER TABLE "resources" DROP COLUMN "spec_version"`);
  }
}
