import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Secret calendar feed links (per schedule, per person), stored as SHA-256 hashes. */
export class CalendarLinks1764710000000 implements MigrationInterface {
  name = 'CalendarLinks1764710000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "calendar_links" ("id" uuid NOT NULL, "kind" text NOT NULL, "target" text NOT NULL, "token_hash" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_calendar_links_kind" CHECK (kind IN ('schedule', 'user')), CONSTRAINT "pk_calendar_links" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_calendar_links_token_hash" ON "calendar_links" ("token_hash") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_calendar_links_active" ON "calendar_links" ("kind", "target") WHERE revoked_at IS NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_calendar_links_active"`);
    await queryRunner.query(`DROP INDEX "public"."uq_calendar_links_token_hash"`);
    await queryRunner.query(`DROP TABLE "calendar_links"`);
  }
}
