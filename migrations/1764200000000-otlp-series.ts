import type { MigrationInterface, QueryRunner } from 'typeorm';

/** OTLP metrics push: the series catalog (read by OTLP-backed SLOs) and per-stream cumulative state. */
export class OtlpSeries1764200000000 implements MigrationInterface {
  name = 'OtlpSeries1764200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "otlp_series" ("series_id" text NOT NULL, "service_name" text NOT NULL, "metric_name" text NOT NULL, "kind" text NOT NULL, "unit" text NOT NULL DEFAULT '', "attributes" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_otlp_series_kind" CHECK (kind IN ('sum', 'histogram', 'exponential_histogram')), CONSTRAINT "pk_otlp_series" PRIMARY KEY ("series_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_otlp_series_service_metric" ON "otlp_series" ("service_name", "metric_name")`);
    await queryRunner.query(`CREATE TABLE "otlp_stream_state" ("stream_id" text NOT NULL, "series_id" text NOT NULL, "state" jsonb, "version" integer NOT NULL DEFAULT 0, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_otlp_stream_state" PRIMARY KEY ("stream_id"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "otlp_stream_state"`);
    await queryRunner.query(`DROP INDEX "public"."ix_otlp_series_service_metric"`);
    await queryRunner.query(`DROP TABLE "otlp_series"`);
  }
}
