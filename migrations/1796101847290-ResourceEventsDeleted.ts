import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Metering a month asks, per resource, whether it was deleted before the month: one row per deleted
 * resource answers it, instead of the resource's whole history.
 */
export class ResourceEventsDeleted1796101847290 implements MigrationInterface {
  name = 'ResourceEventsDeleted1796101847290';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_resource_events_deleted" ON "resource_events" ("resource_id", "occurred_at") WHERE to_state = 'deleted'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_resource_events_deleted"`);
  }
}
