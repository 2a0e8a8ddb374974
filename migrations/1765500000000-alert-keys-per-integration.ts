import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alertmanager alerts are now identified per integration key (`alertmanager:<key id>/<fingerprint>`,
 * as PagerDuty's `<key id>/<dedup_key>` already were), so one key cannot resolve another's
 * alerts. Stored alert rows get the key of the integration that opened their incident (the
 * first integration on its timeline), so an alert firing across the upgrade still resolves.
 */
export class AlertKeysPerIntegration1765500000000 implements MigrationInterface {
  name = 'AlertKeysPerIntegration1765500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE "incident_alerts" a SET "alert_key" = 'alertmanager:' || opener.actor_id || '/' || substring(a.alert_key FROM length('alertmanager:') + 1)
      FROM (SELECT DISTINCT ON (incident_id) incident_id, actor_id FROM "incident_timeline"
            WHERE actor_type = 'integration' AND actor_id IS NOT NULL ORDER BY incident_id, id) opener
      WHERE a.incident_id = opener.incident_id AND a.source = 'alertmanager' AND position('/' IN a.alert_key) = 0`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE "incident_alerts" SET "alert_key" = 'alertmanager:' || substring(alert_key FROM position('/' IN alert_key) + 1)
      WHERE source = 'alertmanager' AND position('/' IN alert_key) > 0`);
  }
}
