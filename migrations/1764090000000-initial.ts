import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The foundation schema: API tokens, incidents with their timeline, the outbox, Slack threads,
 * minute rollups of SLI data, SLO status, leases and the simulator's state.
 * Generated from the entities (schema builder), then reviewed; constraint names are explicit.
 */
export class Initial1764090000000 implements MigrationInterface {
  name = 'Initial1764090000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "api_tokens" ("id" uuid NOT NULL, "name" text NOT NULL, "token_hash" text NOT NULL, "role" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_api_tokens_role" CHECK (role IN ('viewer', 'responder', 'admin')), CONSTRAINT "pk_api_tokens" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_tokens_token_hash" ON "api_tokens"  ("token_hash")`);
    await queryRunner.query(`CREATE TABLE "incidents" ("id" SERIAL NOT NULL, "title" text NOT NULL, "service" text NOT NULL, "source" text NOT NULL, "severity" text NOT NULL, "status" text NOT NULL, "fingerprint" text NOT NULL, "slo_id" text, "runbook_id" text, "evidence" jsonb NOT NULL DEFAULT '{}', "triggered_at" TIMESTAMP WITH TIME ZONE NOT NULL, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" text, "resolved_at" TIMESTAMP WITH TIME ZONE, "resolved_by" text, "signal_resolved_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "ck_incidents_severity" CHECK (severity IN ('critical', 'error', 'warning', 'info')), CONSTRAINT "ck_incidents_status" CHECK (status IN ('triggered', 'acknowledged', 'resolved')), CONSTRAINT "pk_incidents" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_incidents_status_id" ON "incidents"  ("status", "id")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_incidents_open_fingerprint" ON "incidents"  ("fingerprint") WHERE status <> 'resolved'`);
    await queryRunner.query(`CREATE TABLE "incident_timeline" ("id" SERIAL NOT NULL, "incident_id" integer NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "kind" text NOT NULL, "actor_type" text NOT NULL, "actor_id" text, "actor_name" text NOT NULL, "message" text NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "pk_incident_timeline" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_incident_timeline_incident_at" ON "incident_timeline"  ("incident_id", "at")`);
    await queryRunner.query(`CREATE TABLE "slack_threads" ("incident_id" integer NOT NULL, "channel" text NOT NULL, "ts" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_slack_threads" PRIMARY KEY ("incident_id", "channel"))`);
    await queryRunner.query(`CREATE TABLE "outbox" ("id" SERIAL NOT NULL, "key" text NOT NULL, "topic" text NOT NULL, "incident_id" integer, "payload" jsonb NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "last_error" text, "result" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_outbox_status" CHECK (status IN ('pending', 'sending', 'sent', 'failed')), CONSTRAINT "pk_outbox" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_outbox_key" ON "outbox"  ("key")`);
    await queryRunner.query(`CREATE INDEX "ix_outbox_incident" ON "outbox"  ("incident_id", "id")`);
    await queryRunner.query(`CREATE INDEX "ix_outbox_due" ON "outbox"  ("status", "next_attempt_at")`);
    await queryRunner.query(`CREATE TABLE "sli_counter_minute" ("series" text NOT NULL, "minute" TIMESTAMP WITH TIME ZONE NOT NULL, "value" double precision NOT NULL, CONSTRAINT "pk_sli_counter_minute" PRIMARY KEY ("series", "minute"))`);
    await queryRunner.query(`CREATE TABLE "sli_histogram_minute" ("series" text NOT NULL, "minute" TIMESTAMP WITH TIME ZONE NOT NULL, "le" double precision NOT NULL, "count" double precision NOT NULL, CONSTRAINT "pk_sli_histogram_minute" PRIMARY KEY ("series", "minute", "le"))`);
    await queryRunner.query(`CREATE TABLE "slo_status" ("slo_id" text NOT NULL, "state" text NOT NULL, "burn_rates" jsonb NOT NULL DEFAULT '{}', "budget_remaining" double precision, "evidence" jsonb NOT NULL DEFAULT '{}', "evaluated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "since" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_slo_status" PRIMARY KEY ("slo_id"))`);
    await queryRunner.query(`CREATE TABLE "simulator_faults" ("id" SERIAL NOT NULL, "service" text NOT NULL, "kind" text NOT NULL, "value" double precision NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "cleared_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_simulator_faults" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "simulator_state" ("id" text NOT NULL, "simulated_until" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_simulator_state" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "leases" ("name" text NOT NULL, "holder" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_leases" PRIMARY KEY ("name"))`);
    await queryRunner.query(`ALTER TABLE "incident_timeline" ADD CONSTRAINT "fk_incident_timeline_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incident_timeline" DROP CONSTRAINT "fk_incident_timeline_incident"`);
    await queryRunner.query(`DROP TABLE "leases"`);
    await queryRunner.query(`DROP TABLE "simulator_state"`);
    await queryRunner.query(`DROP TABLE "simulator_faults"`);
    await queryRunner.query(`DROP TABLE "slo_status"`);
    await queryRunner.query(`DROP TABLE "sli_histogram_minute"`);
    await queryRunner.query(`DROP TABLE "sli_counter_minute"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_incident"`);
    await queryRunner.query(`DROP INDEX "public"."uq_outbox_key"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
    await queryRunner.query(`DROP TABLE "slack_threads"`);
    await queryRunner.query(`DROP INDEX "public"."ix_incident_timeline_incident_at"`);
    await queryRunner.query(`DROP TABLE "incident_timeline"`);
    await queryRunner.query(`DROP INDEX "public"."uq_incidents_open_fingerprint"`);
    await queryRunner.query(`DROP INDEX "public"."ix_incidents_status_id"`);
    await queryRunner.query(`DROP TABLE "incidents"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_tokens_token_hash"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
  }
}
