import type { MigrationInterface, QueryRunner } from 'typeorm';

/** On-call: overrides made through the API, and one escalation (policy snapshot and progress) per incident. */
export class Oncall1764600000000 implements MigrationInterface {
  name = 'Oncall1764600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "schedule_overrides" ("id" SERIAL NOT NULL, "schedule_id" text NOT NULL, "user_email" text NOT NULL, "start_at" TIMESTAMP WITH TIME ZONE NOT NULL, "end_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_schedule_overrides_range" CHECK (end_at > start_at), CONSTRAINT "pk_schedule_overrides" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_schedule_overrides_schedule_end" ON "schedule_overrides" ("schedule_id", "end_at") `);
    await queryRunner.query(`CREATE TABLE "escalations" ("incident_id" integer NOT NULL, "policy_name" text NOT NULL, "policy" jsonb NOT NULL, "step" integer NOT NULL DEFAULT '0', "round" integer NOT NULL DEFAULT '0', "next_at" TIMESTAMP WITH TIME ZONE, "wake_at" TIMESTAMP WITH TIME ZONE, "last_status" text NOT NULL DEFAULT 'triggered', "reminders" integer NOT NULL DEFAULT '0', "notified_users" jsonb NOT NULL DEFAULT '[]', "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_escalations" PRIMARY KEY ("incident_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_escalations_wake_at" ON "escalations" ("wake_at") `);
    await queryRunner.query(`ALTER TABLE "escalations" ADD CONSTRAINT "fk_escalations_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "escalations"`);
    await queryRunner.query(`DROP INDEX "public"."ix_schedule_overrides_schedule_end"`);
    await queryRunner.query(`DROP TABLE "schedule_overrides"`);
  }
}
