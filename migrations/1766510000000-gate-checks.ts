import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Progressive-delivery gate calls per service (owned by gates/). */
export class GateChecks1766510000000 implements MigrationInterface {
  name = 'GateChecks1766510000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "gate_checks" ("service" text NOT NULL, "passed" bigint NOT NULL DEFAULT '0', "failed" bigint NOT NULL DEFAULT '0',
        "last_checked_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_pass" boolean NOT NULL, "last_reasons" jsonb NOT NULL DEFAULT '[]',
        CONSTRAINT "pk_gate_checks" PRIMARY KEY ("service"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "gate_checks"`);
  }
}
