import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API tokens belong to people and may expire: `owner_id` (the user the token acts for;
 * disabling them revokes it) and `expires_at`. Existing tokens keep no owner and no expiry.
 */
export class ApiTokenOwners1765700000000 implements MigrationInterface {
  name = 'ApiTokenOwners1765700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD "owner_id" uuid`);
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "ix_api_tokens_owner_id" ON "api_tokens" ("owner_id")`);
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD CONSTRAINT "fk_api_tokens_owner" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "fk_api_tokens_owner"`);
    await queryRunner.query(`DROP INDEX "ix_api_tokens_owner_id"`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP COLUMN "expires_at"`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP COLUMN "owner_id"`);
  }
}
