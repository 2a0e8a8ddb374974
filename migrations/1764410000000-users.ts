import type { MigrationInterface, QueryRunner } from 'typeorm';

/** People who sign in to the console (email and password), and their sessions. */
export class Users1764410000000 implements MigrationInterface {
  name = 'Users1764410000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL, "email" text NOT NULL, "name" text NOT NULL, "role" text NOT NULL, "time_zone" text NOT NULL DEFAULT 'UTC', "slack_user_id" text, "password_hash" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "disabled_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_users_role" CHECK (role IN ('viewer', 'responder', 'admin')), CONSTRAINT "pk_users" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email")`);
    await queryRunner.query(`CREATE TABLE "user_sessions" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "token_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_user_sessions" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_user_sessions_user_id" ON "user_sessions" ("user_id")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_user_sessions_token_hash" ON "user_sessions" ("token_hash")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "user_sessions"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_email"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
