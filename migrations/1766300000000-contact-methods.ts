import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pages that reach people beyond Slack (oncall owns the tables): each person's contact methods,
 * their notification rules (two ordered lists, high and low urgency), and the audit of every
 * send with its acknowledge code. The outbox learns a "not before" time (a rule's delay) and
 * rows that keep to no incident order (a personal send neither waits for nor holds up the page).
 */
export class ContactMethods1766300000000 implements MigrationInterface {
  name = 'ContactMethods1766300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "contact_methods" ("id" SERIAL NOT NULL, "user_id" uuid NOT NULL, "kind" text NOT NULL, "address" text NOT NULL,
        "label" text NOT NULL DEFAULT '', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "ck_contact_methods_kind" CHECK (kind IN ('email', 'sms', 'voice', 'push')),
        CONSTRAINT "pk_contact_methods" PRIMARY KEY ("id"),
        CONSTRAINT "fk_contact_methods_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_contact_methods_user_address" ON "contact_methods" ("user_id", "kind", "address")`);
    await queryRunner.query(
      `CREATE TABLE "notification_rules" ("id" SERIAL NOT NULL, "user_id" uuid NOT NULL, "urgency" text NOT NULL, "position" integer NOT NULL,
        "contact_method_id" integer, "delay_seconds" integer NOT NULL DEFAULT 0,
        CONSTRAINT "ck_notification_rules_urgency" CHECK (urgency IN ('high', 'low')),
        CONSTRAINT "ck_notification_rules_delay" CHECK (delay_seconds >= 0 AND delay_seconds <= 86400),
        CONSTRAINT "pk_notification_rules" PRIMARY KEY ("id"),
        CONSTRAINT "fk_notification_rules_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE,
        CONSTRAINT "fk_notification_rules_method" FOREIGN KEY ("contact_method_id") REFERENCES "contact_methods"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_notification_rules_position" ON "notification_rules" ("user_id", "urgency", "position")`);
    await queryRunner.query(
      `CREATE TABLE "contact_sends" ("id" SERIAL NOT NULL, "incident_id" integer NOT NULL, "user_id" uuid, "user_email" text NOT NULL, "user_name" text NOT NULL,
        "kind" text NOT NULL, "address" text NOT NULL, "outbox_key" text NOT NULL, "ack_code" text NOT NULL, "code_open" boolean NOT NULL DEFAULT true,
        "reason" text NOT NULL, "status" text NOT NULL DEFAULT 'queued', "detail" text, "receipt" jsonb, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "acknowledged_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "ck_contact_sends_kind" CHECK (kind IN ('email', 'sms', 'voice', 'push')),
        CONSTRAINT "ck_contact_sends_status" CHECK (status IN ('queued', 'sent', 'failed', 'skipped')),
        CONSTRAINT "pk_contact_sends" PRIMARY KEY ("id"),
        CONSTRAINT "fk_contact_sends_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_contact_sends_outbox_key" ON "contact_sends" ("outbox_key")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_contact_sends_open_code" ON "contact_sends" ("ack_code") WHERE code_open`);
    await queryRunner.query(`CREATE INDEX "ix_contact_sends_incident" ON "contact_sends" ("incident_id", "id")`);
    await queryRunner.query(`ALTER TABLE "outbox" ADD "not_before" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "outbox" ADD "in_order" boolean NOT NULL DEFAULT true`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox" DROP COLUMN "in_order"`);
    await queryRunner.query(`ALTER TABLE "outbox" DROP COLUMN "not_before"`);
    await queryRunner.query(`DROP TABLE "contact_sends"`);
    await queryRunner.query(`DROP TABLE "notification_rules"`);
    await queryRunner.query(`DROP TABLE "contact_methods"`);
  }
}
