import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The open incidents by id, for the console's first page (open statuses, newest first) whatever the history behind it. */
export class IncidentsOpenIndex1764800000000 implements MigrationInterface {
  name = 'IncidentsOpenIndex1764800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_incidents_open_id" ON "incidents" ("id") WHERE status <> 'resolved'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_incidents_open_id"`);
  }
}
