import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-channel send pacing and health for Slack delivery, shared by every process; the id of the channel a page went to; the run count of an escalation that starts over. */
export class DeliveryChannels1764700000000 implements MigrationInterface {
  name = 'DeliveryChannels1764700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "delivery_channels" ("channel" text NOT NULL, "next_slot_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "consecutive_failures" integer NOT NULL DEFAULT '0', "last_error" text, "failing_since" TIMESTAMP WITH TIME ZONE, "last_success_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_delivery_channels" PRIMARY KEY ("channel"))`);
    await queryRunner.query(`ALTER TABLE "slack_threads" ADD "channel_id" text`);
    await queryRunner.query(`ALTER TABLE "escalations" ADD "run" integer NOT NULL DEFAULT '0'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "escalations" DROP COLUMN "run"`);
    await queryRunner.query(`ALTER TABLE "slack_threads" DROP COLUMN "channel_id"`);
    await queryRunner.query(`DROP TABLE "delivery_channels"`);
  }
}
