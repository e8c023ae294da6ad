import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Line keys (ASCII: month, uuids, dimension) compare byte by byte: the same order as before under the
 * C.UTF-8 databases we run, independent of the server's locale everywhere else, and a draft's million
 * key-index insertions cost memcmp instead of strcoll.
 */
export class RebillLineKeysBytewise1796039842964 implements MigrationInterface {
  name = 'RebillLineKeysBytewise1796039842964';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "rebill_lines" ALTER COLUMN "key" TYPE text COLLATE "C", ALTER COLUMN "adjusts_key" TYPE text COLLATE "C"`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "rebill_lines" ALTER COLUMN "key" TYPE text COLLATE "default", ALTER COLUMN "adjusts_key" TYPE text COLLATE "default"`,
    );
  }
}
