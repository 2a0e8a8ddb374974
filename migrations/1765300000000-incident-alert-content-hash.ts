import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A hash of each alert row's content (labels, annotations, payload), set by the repeats
 * statement and cleared by every other write of the content. A repeat whose content is the one
 * stored sends the hash instead of the content: parsing and storing the same JSON again was a
 * fifth of the database's work per alert in the steady state. Adding a nullable column is a
 * catalog change only; existing rows start without a hash (their next repeat sends the content).
 */
export class IncidentAlertContentHash1765300000000 implements MigrationInterface {
  name = 'IncidentAlertContentHash1765300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incident_alerts" ADD "content_hash" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incident_alerts" DROP COLUMN "content_hash"`);
  }
}
