import { MigrationInterface, QueryRunner } from 'typeorm';

/** The day hosted equipment left the cloud data centre: its rack units bill up to that day, not for ever. */
export class HostingEnds1796400000000 implements MigrationInterface {
  name = 'HostingEnds1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "hosts" ADD "hosting_ended_on" date`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "hosts" DROP COLUMN "hosting_ended_on"`);
  }
}
