import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed sign-ins kept in the database (they were in each process's memory and reset at restart). */
export class SignInFailures1765600000000 implements MigrationInterface {
  name = 'SignInFailures1765600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "sign_in_failures" ("key" text NOT NULL, "failures" integer NOT NULL, "last_failed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "retry_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_sign_in_failures" PRIMARY KEY ("key"))`);
    await queryRunner.query(`CREATE INDEX "ix_sign_in_failures_last_failed_at" ON "sign_in_failures" ("last_failed_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sign_in_failures"`);
  }
}
