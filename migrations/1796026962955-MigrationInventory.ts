import { MigrationInterface, QueryRunner } from 'typeorm';

export class MigrationInventory1796026962955 implements MigrationInterface {
  name = 'MigrationInventory1796026962955';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "information_systems" ("department_id" uuid NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'inventoried', "blocked_from" character varying(16), "archive_ref" character varying(200), "server_room_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "purpose" text, "owner_contact" character varying(200), "classification" character varying(16) NOT NULL, "protection_level" smallint NOT NULL, "architecture" character varying(8) NOT NULL, "databases" jsonb NOT NULL DEFAULT '[]', "middleware" jsonb NOT NULL DEFAULT '[]', "special_devices" jsonb NOT NULL DEFAULT '[]', "data_volume_gb" integer NOT NULL DEFAULT '0', "user_count" integer NOT NULL DEFAULT '0', "availability" character varying(16) NOT NULL DEFAULT 'standard', "critical" boolean NOT NULL DEFAULT false, "difficulty_score" smallint NOT NULL, "suggested_strategy" character varying(24) NOT NULL, "strategy_override" character varying(24), "override_reason" text, CONSTRAINT "PK_ffd064ed91724753e4933c4028f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_systems_status" ON "information_systems"  ("status") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_systems_department_name" ON "information_systems"  ("department_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "hosts" ("department_id" uuid NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'inventoried', "blocked_from" character varying(16), "archive_ref" character varying(200), "server_room_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "hostname" character varying(253) NOT NULL, "kind" character varying(16) NOT NULL, "cpu_cores" integer NOT NULL DEFAULT '0', "memory_gib" integer NOT NULL DEFAULT '0', "disk_gib" integer NOT NULL DEFAULT '0', "os" character varying(100), "rack" character varying(32), "rack_unit" character varying(16), "power_watts" integer, "purchase_year" smallint, CONSTRAINT "PK_c4bcf0826e0e2847faee4da1746" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_hosts_server_room" ON "hosts"  ("server_room_id") `);
    await queryRunner.query(`CREATE INDEX "ix_hosts_status" ON "hosts"  ("status") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_hosts_department_hostname" ON "hosts"  ("department_id", "hostname") `,
    );
    await queryRunner.query(
      `CREATE TABLE "migration_transitions" ("id" BIGSERIAL NOT NULL, "subject_type" character varying(8) NOT NULL, "subject_id" uuid NOT NULL, "department_id" uuid NOT NULL, "from_status" character varying(16), "to_status" character varying(16) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_id" uuid, "actor_name" character varying(64) NOT NULL, "note" text, "checklist" jsonb, "archive_ref" character varying(200), CONSTRAINT "PK_45d0b1c4832b96185c6b462ac0f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_transitions_department" ON "migration_transitions"  ("department_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_transitions_subject" ON "migration_transitions"  ("subject_type", "subject_id", "at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "system_hosts" ("host_id" uuid NOT NULL, "system_id" uuid NOT NULL, CONSTRAINT "PK_38ae8026fee3d1d1b3e9dec62e5" PRIMARY KEY ("host_id", "system_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_3dbb474bda757669f7e1e82dfd" ON "system_hosts"  ("host_id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_2f2f0b629028b61a874444ff0c" ON "system_hosts"  ("system_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "information_systems" ADD CONSTRAINT "fk_systems_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "hosts" ADD CONSTRAINT "fk_hosts_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "system_hosts" ADD CONSTRAINT "fk_system_hosts_host" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "system_hosts" ADD CONSTRAINT "fk_system_hosts_system" FOREIGN KEY ("system_id") REFERENCES "information_systems"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "system_hosts" DROP CONSTRAINT "fk_system_hosts_system"`);
    await queryRunner.query(`ALTER TABLE "system_hosts" DROP CONSTRAINT "fk_system_hosts_host"`);
    await queryRunner.query(`ALTER TABLE "hosts" DROP CONSTRAINT "fk_hosts_department"`);
    await queryRunner.query(`ALTER TABLE "information_systems" DROP CONSTRAINT "fk_systems_department"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2f2f0b629028b61a874444ff0c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3dbb474bda757669f7e1e82dfd"`);
    await queryRunner.query(`DROP TABLE "system_hosts"`);
    await queryRunner.query(`DROP INDEX "public"."ix_transitions_subject"`);
    await queryRunner.query(`DROP INDEX "public"."ix_transitions_department"`);
    await queryRunner.query(`DROP TABLE "migration_transitions"`);
    await queryRunner.query(`DROP INDEX "public"."uq_hosts_department_hostname"`);
    await queryRunner.query(`DROP INDEX "public"."ix_hosts_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_hosts_server_room"`);
    await queryRunner.query(`DROP TABLE "hosts"`);
    await queryRunner.query(`DROP INDEX "public"."uq_systems_department_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_systems_status"`);
    await queryRunner.query(`DROP TABLE "information_systems"`);
  }
}
