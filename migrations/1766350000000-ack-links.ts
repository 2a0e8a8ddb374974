import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Acknowledge links in e-mails (notify/ack-link): the nonces of links already used, so each
 * acknowledges once, and the secret that signs them when HEADROOM_ACK_LINK_SECRET is not set
 * (one row, generated once, read by every process).
 */
export class AckLinks1766350000000 implements MigrationInterface {
  name = 'AckLinks1766350000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "ack_link_uses" ("nonce" text NOT NULL, "incident_id" integer NOT NULL, "user_email" text NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_ack_link_uses" PRIMARY KEY ("nonce"))`);
    await queryRunner.query(`CREATE INDEX "ix_ack_link_uses_expires_at" ON "ack_link_uses" ("expires_at")`);
    await queryRunner.query(`CREATE TABLE "ack_link_secret" ("id" smallint NOT NULL, "secret" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_ack_link_secret" PRIMARY KEY ("id"), CONSTRAINT "ck_ack_link_secret_one_row" CHECK (id = 1))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ack_link_secret"`);
    await queryRunner.query(`DROP TABLE "ack_link_uses"`);
  }
}
