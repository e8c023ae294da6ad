import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed logins in a row per user, and until when too many of them lock the account (MLPS 2.0,
 * 等保 2.0: a system must limit illegal login attempts).
 */
export class LoginLockout1796300000000 implements MigrationInterface {
  name = 'LoginLockout1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users" ADD "failed_logins" integer NOT NULL DEFAULT 0, ADD "locked_until" TIMESTAMP WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "locked_until", DROP COLUMN "failed_logins"`);
  }
}
