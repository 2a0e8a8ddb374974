import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Heartbeats (dead man's switches): declared heartbeats with their last beat, owned by
 * sources/heartbeats; and a `heartbeat` kind of integration key to beat with.
 */
export class Heartbeats1766200000000 implements MigrationInterface {
  name = 'Heartbeats1766200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "heartbeats" ("name" text NOT NULL, "origin" text NOT NULL, "file" text, "description" text, "interval_seconds" integer NOT NULL,
        "grace_seconds" integer NOT NULL, "service" text NOT NULL, "severity" text NOT NULL, "runbook_id" text, "declared_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "last_beat_at" TIMESTAMP WITH TIME ZONE, "beat_count" bigint NOT NULL DEFAULT '0', "missed_at" TIMESTAMP WITH TIME ZONE, "created_by" text NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "ck_heartbeats_origin" CHECK (origin IN ('yaml', 'api')), CONSTRAINT "ck_heartbeats_severity" CHECK (severity IN ('page', 'ticket')),
        CONSTRAINT "pk_heartbeats" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(`ALTER TABLE "integration_keys" DROP CONSTRAINT "ck_integration_keys_kind"`);
    await queryRunner.query(`ALTER TABLE "integration_keys" ADD CONSTRAINT "ck_integration_keys_kind" CHECK (kind IN ('alertmanager', 'pagerduty', 'otlp', 'experiments', 'heartbeat'))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "integration_keys" WHERE "kind" = 'heartbeat'`);
    await queryRunner.query(`ALTER TABLE "integration_keys" DROP CONSTRAINT "ck_integration_keys_kind"`);
    await queryRunner.query(`ALTER TABLE "integration_keys" ADD CONSTRAINT "ck_integration_keys_kind" CHECK (kind IN ('alertmanager', 'pagerduty', 'otlp', 'experiments'))`);
    await queryRunner.query(`DROP TABLE "heartbeats"`);
  }
}
