import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One muting model (issue 16 item 7): a maintenance window is a silence with a service matcher,
 * stored in `silences` with `kind` 'maintenance' and its `service` (no label matchers); the
 * `maintenance_windows` table goes.
 *
 * Ids: the API, the audit log (`entity_id`), incidents' `muted_reason` ("maintenance window #7")
 * and timelines name maintenance windows by their id, and those ids overlap the silences' (both
 * counted from 1). So every row keeps its id and the key becomes (id, kind): silence 7 and
 * maintenance window 7 stay two rows, each answered at its own path. From here on both kinds take
 * their ids from `silences_id_seq`, moved past every id in use, so no new id is shared.
 *
 * `down` moves the maintenance windows (those made since included, with their ids) back to their
 * table. Each direction runs in one transaction: nothing is half moved.
 */
export class OneMutingModel1765900000000 implements MigrationInterface {
  name = 'OneMutingModel1765900000000';
  transaction = true;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "silences" ADD "kind" text NOT NULL DEFAULT 'silence'`);
    await queryRunner.query(`ALTER TABLE "silences" ADD "service" text`);
    await queryRunner.query(`ALTER TABLE "silences" DROP CONSTRAINT "pk_silences"`);
    await queryRunner.query(`ALTER TABLE "silences" ADD CONSTRAINT "pk_silences" PRIMARY KEY ("id", "kind")`);
    await queryRunner.query(`ALTER TABLE "silences" ADD CONSTRAINT "ck_silences_kind" CHECK ((kind = 'silence' AND service IS NULL) OR (kind = 'maintenance' AND service IS NOT NULL))`);
    await queryRunner.query(`INSERT INTO "silences" ("id", "kind", "matchers", "service", "starts_at", "ends_at", "created_by", "comment", "created_at", "expired_at")
      SELECT "id", 'maintenance', '[]'::jsonb, "service", "starts_at", "ends_at", "created_by", "comment", "created_at", "expired_at" FROM "maintenance_windows"`);
    // Past the highest id handed out so far of either kind (is_called false: last_value is the next one).
    await queryRunner.query(`SELECT setval('silences_id_seq', greatest(s.used, w.used), true)
      FROM (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS used FROM "silences_id_seq") s,
           (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS used FROM "maintenance_windows_id_seq") w
      WHERE greatest(s.used, w.used) > 0`);
    await queryRunner.query(`DROP INDEX "public"."ix_maintenance_windows_service_ends_at"`);
    await queryRunner.query(`DROP TABLE "maintenance_windows"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "maintenance_windows" ("id" SERIAL NOT NULL, "service" text NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" text NOT NULL, "comment" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_maintenance_windows_window" CHECK (ends_at >= starts_at), CONSTRAINT "pk_maintenance_windows" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_maintenance_windows_service_ends_at" ON "maintenance_windows"  ("service", "ends_at") `);
    await queryRunner.query(`INSERT INTO "maintenance_windows" ("id", "service", "starts_at", "ends_at", "created_by", "comment", "created_at", "expired_at")
      SELECT "id", "service", "starts_at", "ends_at", "created_by", "comment", "created_at", "expired_at" FROM "silences" WHERE "kind" = 'maintenance'`);
    await queryRunner.query(`SELECT setval('maintenance_windows_id_seq', max("id")) FROM "maintenance_windows" HAVING count(*) > 0`);
    await queryRunner.query(`DELETE FROM "silences" WHERE "kind" = 'maintenance'`);
    await queryRunner.query(`ALTER TABLE "silences" DROP CONSTRAINT "ck_silences_kind"`);
    await queryRunner.query(`ALTER TABLE "silences" DROP CONSTRAINT "pk_silences"`);
    await queryRunner.query(`ALTER TABLE "silences" ADD CONSTRAINT "pk_silences" PRIMARY KEY ("id")`);
    await queryRunner.query(`ALTER TABLE "silences" DROP COLUMN "service"`);
    await queryRunner.query(`ALTER TABLE "silences" DROP COLUMN "kind"`);
  }
}
