import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A fencing value on the rows workers claim (outbox messages, rollback executions): every claim
 * adds one, and a worker may send, renew or finish a row only while the value is still the one
 * its claim returned. A worker whose claim lapsed (a long wait for a pacing slot, a paused
 * process) thus learns it lost the row before it calls Slack or a deploy system, instead of
 * sending next to the process that took the row over.
 */
export class ClaimVersions1765400000000 implements MigrationInterface {
  name = 'ClaimVersions1765400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox" ADD "claim_version" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "rollback_executions" ADD "claim_version" integer NOT NULL DEFAULT 0`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rollback_executions" DROP COLUMN "claim_version"`);
    await queryRunner.query(`ALTER TABLE "outbox" DROP COLUMN "claim_version"`);
  }
}
