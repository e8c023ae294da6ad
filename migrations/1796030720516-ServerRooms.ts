import { MigrationInterface, QueryRunner } from 'typeorm';

export class ServerRooms1796030720516 implements MigrationInterface {
  name = 'ServerRooms1796030720516';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "network_leases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "room_id" uuid NOT NULL, "provider" character varying(200) NOT NULL, "bandwidth_mbps" integer NOT NULL, "monthly_fee" numeric(12,2) NOT NULL, "contract_start" date NOT NULL, "contract_end" date NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d38fea416e43b8ae7905318374c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_network_leases_room" ON "network_leases"  ("room_id") `);
    await queryRunner.query(
      `CREATE TABLE "room_equipment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "room_id" uuid NOT NULL, "host_id" uuid NOT NULL, "disposition" character varying(16) NOT NULL, "pool_id" uuid, "capacity" jsonb, "note" text, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dc7fc78653d39b1b4755474b27c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_room_equipment_room" ON "room_equipment"  ("room_id") `);
    await queryRunner.query(
      `CREATE TABLE "server_rooms" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "department_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "address" character varying(500), "floor_area_m2" double precision NOT NULL DEFAULT '0', "racks" integer NOT NULL DEFAULT '0', "it_power_kw" double precision NOT NULL DEFAULT '0', "pue" double precision, "utilisation_percent" double precision, "condition_notes" text, "poorly_maintained" boolean NOT NULL DEFAULT false, "cost_electricity" numeric(14,2) NOT NULL DEFAULT '0', "cost_maintenance" numeric(14,2) NOT NULL DEFAULT '0', "cost_staff" numeric(14,2) NOT NULL DEFAULT '0', "cost_network" numeric(14,2) NOT NULL DEFAULT '0', "cost_other" numeric(14,2) NOT NULL DEFAULT '0', "status" character varying(16) NOT NULL DEFAULT 'active', "closed_on" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_11471529566892890ad8acc3dd3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_server_rooms_department_name" ON "server_rooms"  ("department_id", "name") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_systems_server_room" ON "information_systems"  ("server_room_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "network_leases" ADD CONSTRAINT "fk_network_leases_room" FOREIGN KEY ("room_id") REFERENCES "server_rooms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "room_equipment" ADD CONSTRAINT "fk_room_equipment_room" FOREIGN KEY ("room_id") REFERENCES "server_rooms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "room_equipment" ADD CONSTRAINT "fk_room_equipment_host" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "room_equipment" ADD CONSTRAINT "fk_room_equipment_pool" FOREIGN KEY ("pool_id") REFERENCES "pools"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "server_rooms" ADD CONSTRAINT "fk_server_rooms_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "information_systems" ADD CONSTRAINT "fk_systems_server_room" FOREIGN KEY ("server_room_id") REFERENCES "server_rooms"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "hosts" ADD CONSTRAINT "fk_hosts_server_room" FOREIGN KEY ("server_room_id") REFERENCES "server_rooms"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "hosts" DROP CONSTRAINT "fk_hosts_server_room"`);
    await queryRunner.query(`ALTER TABLE "information_systems" DROP CONSTRAINT "fk_systems_server_room"`);
    await queryRunner.query(`ALTER TABLE "server_rooms" DROP CONSTRAINT "fk_server_rooms_department"`);
    await queryRunner.query(`ALTER TABLE "room_equipment" DROP CONSTRAINT "fk_room_equipment_pool"`);
    await queryRunner.query(`ALTER TABLE "room_equipment" DROP CONSTRAINT "fk_room_equipment_host"`);
    await queryRunner.query(`ALTER TABLE "room_equipment" DROP CONSTRAINT "fk_room_equipment_room"`);
    await queryRunner.query(`ALTER TABLE "network_leases" DROP CONSTRAINT "fk_network_leases_room"`);
    await queryRunner.query(`DROP INDEX "public"."ix_systems_server_room"`);
    await queryRunner.query(`DROP INDEX "public"."uq_server_rooms_department_name"`);
    await queryRunner.query(`DROP TABLE "server_rooms"`);
    await queryRunner.query(`DROP INDEX "public"."ix_room_equipment_room"`);
    await queryRunner.query(`DROP TABLE "room_equipment"`);
    await queryRunner.query(`DROP INDEX "public"."ix_network_leases_room"`);
    await queryRunner.query(`DROP TABLE "network_leases"`);
  }
}
