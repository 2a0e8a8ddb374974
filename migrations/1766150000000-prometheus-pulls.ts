import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Prometheus-backed SLIs are pulled into the SLI rollups; this is each pulled query's cursor. */
export class PrometheusPulls1766150000000 implements MigrationInterface {
  name = 'PrometheusPulls1766150000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "prometheus_pulls" (
      "series" text NOT NULL,
      "server" text NOT NULL,
      "kind" text NOT NULL,
      "query" text NOT NULL,
      "backfill_from" timestamptz NOT NULL,
      "minute_from" timestamptz NOT NULL,
      "pulled_until" timestamptz NOT NULL,
      "tail" jsonb NOT NULL DEFAULT '{}',
      "caught_up_at" timestamptz,
      "last_error" text,
      "last_attempt_at" timestamptz,
      "last_success_at" timestamptz,
      CONSTRAINT "pk_prometheus_pulls" PRIMARY KEY ("series"),
      CONSTRAINT "ck_prometheus_pulls_kind" CHECK (kind IN ('counter', 'histogram'))
    )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "prometheus_pulls"`);
  }
}
