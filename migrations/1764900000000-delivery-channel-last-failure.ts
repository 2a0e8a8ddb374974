import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When a Slack conversation last failed: one nobody has posted to for a day stops being reported as failing. */
export class DeliveryChannelLastFailure1764900000000 implements MigrationInterface {
  name = 'DeliveryChannelLastFailure1764900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "delivery_channels" ADD "last_failure_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "delivery_channels" SET "last_failure_at" = "failing_since" WHERE "failing_since" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "delivery_channels" DROP COLUMN "last_failure_at"`);
  }
}
