import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The escalation engine no longer joins incidents on every pass to find status changes: the
 * incident's change wakes its escalation (EscalationEngine.wake). Escalations whose incident
 * changed while the previous version was stopping are woken once here.
 */
export class EscalationsWokenByIncidents1766100000000 implements MigrationInterface {
  name = 'EscalationsWokenByIncidents1766100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "escalations" e SET "wake_at" = now() FROM "incidents" i WHERE i."id" = e."incident_id" AND i."status" <> e."last_status"`);
  }

  public async down(): Promise<void> {
    // Nothing to undo: a woken escalation is looked at once and goes back to its own wake time.
  }
}
