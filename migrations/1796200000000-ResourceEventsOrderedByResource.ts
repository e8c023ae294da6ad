import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A resource's events in the order metering reads them (time, then id): the event in force when a month
 * opens is then the last entry before it, read without sorting the resource's events per probe.
 */
export class ResourceEventsOrderedByResource1796200000000 implements MigrationInterface {
  name = 'ResourceEventsOrderedByResource1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_resource_events_resource_next" ON "resource_events" ("resource_id", "occurred_at", "id")`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_resource_events_resource"`);
    await queryRunner.query(
      `ALTER INDEX "public"."ix_resource_events_resource_next" RENAME TO "ix_resource_events_resource"`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_resource_events_resource_prev" ON "resource_events" ("resource_id", "occurred_at")`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_resource_events_resource"`);
    await queryRunner.query(
      `ALTER INDEX "public"."ix_resource_events_resource_prev" RENAME TO "ix_resource_events_resource"`,
    );
  }
}
