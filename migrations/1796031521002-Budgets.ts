import { MigrationInterface, QueryRunner } from 'typeorm';

export class Budgets1796031521002 implements MigrationInterface {
  name = 'Budgets1796031521002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "department_budgets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "department_id" uuid NOT NULL, "year" smallint NOT NULL, "amount" numeric(18,2) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1ad00852db9edbb65973d27e26a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_department_budgets_year" ON "department_budgets"  ("department_id", "year") `,
    );
    await queryRunner.query(
      `CREATE TABLE "budget_alerts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "department_id" uuid NOT NULL, "month" character(7) NOT NULL, "budget" numeric(18,2) NOT NULL, "forecast" numeric(18,2) NOT NULL, "raised_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_d8d537f43c8f669b9768235b9a6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_budget_alerts_month" ON "budget_alerts"  ("department_id", "month") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_budget_alerts_month"`);
    await queryRunner.query(`DROP TABLE "budget_alerts"`);
    await queryRunner.query(`DROP INDEX "public"."uq_department_budgets_year"`);
    await queryRunner.query(`DROP TABLE "department_budgets"`);
  }
}
