import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An alert's rows by key, newest incident first: ingest asks "which open incident holds this
 * alert" for every delivery, and with the incident in the index that is one probe, however
 * many incidents the alert has opened before (and whatever the planner's statistics say).
 */
export class IncidentAlertsKeyIndex1765100000000 implements MigrationInterface {
  name = 'IncidentAlertsKeyIndex1765100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_incident_alerts_alert_key_incident" ON "incident_alerts" ("alert_key", "incident_id") `);
    await queryRunner.query(`DROP INDEX "public"."ix_incident_alerts_alert_key"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_incident_alerts_alert_key" ON "incident_alerts" ("alert_key") `);
    await queryRunner.query(`DROP INDEX "public"."ix_incident_alerts_alert_key_incident"`);
  }
}
