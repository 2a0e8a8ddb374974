import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hour rollups for windows of a day and more, `updated_at` on every rollup row for the
 * incremental window cache, and indexes for the retention job. Existing minute rows are summed
 * into hour rows so long windows keep their history.
 */
export class SliHourRollups1764150000000 implements MigrationInterface {
  name = 'SliHourRollups1764150000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "sli_counter_hour" ("series" text NOT NULL, "hour" TIMESTAMP WITH TIME ZONE NOT NULL, "value" double precision NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "pk_sli_counter_hour" PRIMARY KEY ("series", "hour"))`);
    await queryRunner.query(`CREATE INDEX "ix_sli_counter_hour_hour" ON "sli_counter_hour" USING brin ("hour") `);
    await queryRunner.query(`CREATE INDEX "ix_sli_counter_hour_updated_at" ON "sli_counter_hour"  ("updated_at") `);
    await queryRunner.query(`CREATE TABLE "sli_histogram_hour" ("series" text NOT NULL, "hour" TIMESTAMP WITH TIME ZONE NOT NULL, "le" double precision NOT NULL, "count" double precision NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "pk_sli_histogram_hour" PRIMARY KEY ("series", "hour", "le"))`);
    await queryRunner.query(`CREATE INDEX "ix_sli_histogram_hour_hour" ON "sli_histogram_hour" USING brin ("hour") `);
    await queryRunner.query(`CREATE INDEX "ix_sli_histogram_hour_updated_at" ON "sli_histogram_hour"  ("updated_at") `);
    await queryRunner.query(`ALTER TABLE "sli_counter_minute" ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp()`);
    await queryRunner.query(`ALTER TABLE "sli_histogram_minute" ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp()`);
    await queryRunner.query(`CREATE INDEX "ix_sli_counter_minute_minute" ON "sli_counter_minute" USING brin ("minute") `);
    await queryRunner.query(`CREATE INDEX "ix_sli_counter_minute_updated_at" ON "sli_counter_minute"  ("updated_at") `);
    await queryRunner.query(`CREATE INDEX "ix_sli_histogram_minute_minute" ON "sli_histogram_minute" USING brin ("minute") `);
    await queryRunner.query(`CREATE INDEX "ix_sli_histogram_minute_updated_at" ON "sli_histogram_minute"  ("updated_at") `);
    // Hours are binned from the epoch in UTC (date_trunc would follow the session time zone,
    // which is off by 30 minutes in some zones).
    await queryRunner.query(
      `INSERT INTO "sli_counter_hour" ("series", "hour", "value")
       SELECT "series", date_bin('1 hour', "minute", TIMESTAMPTZ '1970-01-01 00:00:00+00'), sum("value")
       FROM "sli_counter_minute" GROUP BY 1, 2`,
    );
    await queryRunner.query(
      `INSERT INTO "sli_histogram_hour" ("series", "hour", "le", "count")
       SELECT "series", date_bin('1 hour', "minute", TIMESTAMPTZ '1970-01-01 00:00:00+00'), "le", sum("count")
       FROM "sli_histogram_minute" GROUP BY 1, 2, 3`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_sli_histogram_minute_updated_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sli_histogram_minute_minute"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sli_counter_minute_updated_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sli_counter_minute_minute"`);
    await queryRunner.query(`ALTER TABLE "sli_histogram_minute" DROP COLUMN "updated_at"`);
    await queryRunner.query(`ALTER TABLE "sli_counter_minute" DROP COLUMN "updated_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sli_histogram_hour_updated_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sli_histogram_hour_hour"`);
    await queryRunner.query(`DROP TABLE "sli_histogram_hour"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sli_counter_hour_updated_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sli_counter_hour_hour"`);
    await queryRunner.query(`DROP TABLE "sli_counter_hour"`);
  }
}
