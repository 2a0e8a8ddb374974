import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents get an urgency: `page` (every incident so far) or `ticket` (slow burns and other
 * ticket-level signals: posted once to the route's ticket channel, never escalated).
 */
export class IncidentUrgency1766230000000 implements MigrationInterface {
  name = 'IncidentUrgency1766230000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incidents" ADD "urgency" text NOT NULL DEFAULT 'page'`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD CONSTRAINT "ck_incidents_urgency" CHECK (urgency IN ('page', 'ticket'))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incidents" DROP CONSTRAINT "ck_incidents_urgency"`);
    await queryRunner.query(`ALTER TABLE "incidents" DROP COLUMN "urgency"`);
  }
}
