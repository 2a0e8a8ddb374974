import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Integration keys for pushed data (OTLP, Alertmanager, PagerDuty-format events, experiments). */
export class IntegrationKeys1764100000000 implements MigrationInterface {
  name = 'IntegrationKeys1764100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "integration_keys" ("id" uuid NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "key_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_integration_keys_kind" CHECK (kind IN ('alertmanager', 'pagerduty', 'otlp', 'experiments')), CONSTRAINT "pk_integration_keys" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_integration_keys_key_hash" ON "integration_keys" ("key_hash")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_integration_keys_key_hash"`);
    await queryRunner.query(`DROP TABLE "integration_keys"`);
  }
}
