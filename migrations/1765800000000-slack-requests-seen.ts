import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Signatures of Slack requests already taken, so a replay within Slack's 5-minute window acts once (SlackReplayGuard). */
export class SlackRequestsSeen1765800000000 implements MigrationInterface {
  name = 'SlackRequestsSeen1765800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "slack_requests_seen" ("signature" text NOT NULL, "seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_slack_requests_seen" PRIMARY KEY ("signature"))`);
    await queryRunner.query(`CREATE INDEX "ix_slack_requests_seen_at" ON "slack_requests_seen" ("seen_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "slack_requests_seen"`);
  }
}
