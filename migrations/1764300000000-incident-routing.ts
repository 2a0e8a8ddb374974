import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents from outside alerts: alerts grouped into incidents (with counts), snooze, assignee,
 * labels, muting by silences and maintenance windows, and the append-only audit log.
 */
export class IncidentRouting1764300000000 implements MigrationInterface {
  name = 'IncidentRouting1764300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "audit_log" ("id" SERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_type" text NOT NULL, "actor_id" text, "actor_name" text NOT NULL, "action" text NOT NULL, "entity_type" text NOT NULL, "entity_id" text NOT NULL, "before" jsonb, "after" jsonb, CONSTRAINT "pk_audit_log" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_audit_log_entity" ON "audit_log"  ("entity_type", "entity_id") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_log_at" ON "audit_log"  ("at") `);
    // Append-only in the database itself: UPDATE and DELETE raise, whoever runs them.
    await queryRunner.query(`CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
    $$`);
    await queryRunner.query(`CREATE TRIGGER "tr_audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"()`);

    await queryRunner.query(`CREATE TABLE "incident_alerts" ("id" SERIAL NOT NULL, "incident_id" integer NOT NULL, "alert_key" text NOT NULL, "source" text NOT NULL, "status" text NOT NULL, "title" text NOT NULL, "labels" jsonb NOT NULL DEFAULT '{}', "annotations" jsonb NOT NULL DEFAULT '{}', "payload" jsonb NOT NULL DEFAULT '{}', "count" integer NOT NULL DEFAULT '1', "muted_by" text, "generator_url" text, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE, "first_received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "resolved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_incident_alerts_status" CHECK (status IN ('firing', 'resolved')), CONSTRAINT "pk_incident_alerts" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_incident_alerts_alert_key" ON "incident_alerts"  ("alert_key") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_incident_alerts_incident_key" ON "incident_alerts"  ("incident_id", "alert_key") `);
    await queryRunner.query(`CREATE TABLE "maintenance_windows" ("id" SERIAL NOT NULL, "service" text NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" text NOT NULL, "comment" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_maintenance_windows_window" CHECK (ends_at >= starts_at), CONSTRAINT "pk_maintenance_windows" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_maintenance_windows_service_ends_at" ON "maintenance_windows"  ("service", "ends_at") `);
    await queryRunner.query(`CREATE TABLE "silences" ("id" SERIAL NOT NULL, "matchers" jsonb NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" text NOT NULL, "comment" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_silences_window" CHECK (ends_at >= starts_at), CONSTRAINT "pk_silences" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_silences_ends_at" ON "silences"  ("ends_at") `);

    await queryRunner.query(`ALTER TABLE "incidents" ADD "description" text`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "assignee" text`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "snoozed_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "labels" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "alert_count" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "last_alert_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "route" text`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "auto_resolve" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "muted" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "muted_reason" text`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "runbook_url" text`);
    await queryRunner.query(`ALTER TABLE "incidents" DROP CONSTRAINT "ck_incidents_status"`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD CONSTRAINT "ck_incidents_status" CHECK (status IN ('triggered', 'acknowledged', 'snoozed', 'resolved'))`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD CONSTRAINT "ck_incidents_snoozed_until" CHECK ((status = 'snoozed') = (snoozed_until IS NOT NULL))`);
    // Response-time reports scan by trigger time; the console filters by service.
    await queryRunner.query(`CREATE INDEX "ix_incidents_triggered_at" ON "incidents"  ("triggered_at") `);
    await queryRunner.query(`CREATE INDEX "ix_incidents_service_id" ON "incidents"  ("service", "id") `);
    await queryRunner.query(`ALTER TABLE "incident_alerts" ADD CONSTRAINT "fk_incident_alerts_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incident_alerts" DROP CONSTRAINT "fk_incident_alerts_incident"`);
    await queryRunner.query(`DROP INDEX "public"."ix_incidents_service_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_incidents_triggered_at"`);
    await queryRunner.query(`ALTER TABLE "incidents" DROP CONSTRAINT "ck_incidents_snoozed_until"`);
    await queryRunner.query(`ALTER TABLE "incidents" DROP CONSTRAINT "ck_incidents_status"`);
    await queryRunner.query(`UPDATE "incidents" SET status = 'triggered' WHERE status = 'snoozed'`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD CONSTRAINT "ck_incidents_status" CHECK (status IN ('triggered', 'acknowledged', 'resolved'))`);
    for (const column of ['runbook_url', 'muted_reason', 'muted', 'auto_resolve', 'route', 'last_alert_at', 'alert_count', 'labels', 'snoozed_until', 'assignee', 'description']) {
      await queryRunner.query(`ALTER TABLE "incidents" DROP COLUMN "${column}"`);
    }
    await queryRunner.query(`DROP INDEX "public"."ix_silences_ends_at"`);
    await queryRunner.query(`DROP TABLE "silences"`);
    await queryRunner.query(`DROP INDEX "public"."ix_maintenance_windows_service_ends_at"`);
    await queryRunner.query(`DROP TABLE "maintenance_windows"`);
    await queryRunner.query(`DROP INDEX "public"."uq_incident_alerts_incident_key"`);
    await queryRunner.query(`DROP INDEX "public"."ix_incident_alerts_alert_key"`);
    await queryRunner.query(`DROP TABLE "incident_alerts"`);
    await queryRunner.query(`DROP TRIGGER "tr_audit_log_append_only" ON "audit_log"`);
    await queryRunner.query(`DROP FUNCTION "audit_log_append_only"()`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_log_entity"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
  }
}
