import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollback hook executions, one per (incident, hook) by a unique index so a hook fires at most
 * once per incident whatever the number of processes; the consecutive-evaluation streak per
 * incident and policy; and one lock row per policy, so cooldown and hourly cap hold across processes.
 */
export class RollbackExecutions1764500000000 implements MigrationInterface {
  name = 'RollbackExecutions1764500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rollback_executions" ("id" SERIAL NOT NULL, "incident_id" integer NOT NULL, "hook" text NOT NULL, "policy" text NOT NULL, "mode" text NOT NULL, "trigger" jsonb NOT NULL DEFAULT '{}', "status" text NOT NULL, "reason" text, "request" jsonb, "response_status" integer, "response_body" text, "latency_ms" integer, "attempts" integer NOT NULL DEFAULT '0', "max_attempts" integer NOT NULL, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "last_error" text, "requested_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_rollback_executions_mode" CHECK (mode IN ('auto', 'approval', 'dry-run')), CONSTRAINT "ck_rollback_executions_status" CHECK (status IN ('pending_approval', 'queued', 'running', 'succeeded', 'failed', 'dry_run', 'cancelled', 'skipped')), CONSTRAINT "pk_rollback_executions" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_rollback_executions_policy_created" ON "rollback_executions"  ("policy", "created_at")`);
    await queryRunner.query(`CREATE INDEX "ix_rollback_executions_due" ON "rollback_executions"  ("status", "next_attempt_at")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rollback_executions_incident_hook" ON "rollback_executions"  ("incident_id", "hook")`);
    await queryRunner.query(`CREATE TABLE "rollback_streaks" ("incident_id" integer NOT NULL, "policy" text NOT NULL, "count" integer NOT NULL, "last_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_rollback_streaks" PRIMARY KEY ("incident_id", "policy"))`);
    await queryRunner.query(`CREATE TABLE "rollback_policy_locks" ("policy" text NOT NULL, CONSTRAINT "pk_rollback_policy_locks" PRIMARY KEY ("policy"))`);
    await queryRunner.query(`ALTER TABLE "rollback_executions" ADD CONSTRAINT "fk_rollback_executions_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rollback_executions" DROP CONSTRAINT "fk_rollback_executions_incident"`);
    await queryRunner.query(`DROP TABLE "rollback_policy_locks"`);
    await queryRunner.query(`DROP TABLE "rollback_streaks"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rollback_executions_incident_hook"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rollback_executions_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rollback_executions_policy_created"`);
    await queryRunner.query(`DROP TABLE "rollback_executions"`);
  }
}
