import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Experiments whose guardrails are watched (from alerts/*.yaml or the API) with their latest
 * evaluation, and their cumulative observations, unique by (experiment, snapshot time).
 */
export class Experiments1764400000000 implements MigrationInterface {
  name = 'Experiments1764400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "experiments" ("id" text NOT NULL, "service" text NOT NULL, "status" text NOT NULL, "origin" text NOT NULL, "spec" jsonb NOT NULL, "file" text, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "results" jsonb, "evaluated_at" TIMESTAMP WITH TIME ZONE, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_experiments_origin" CHECK (origin IN ('yaml', 'api')), CONSTRAINT "ck_experiments_status" CHECK (status IN ('running', 'stopped', 'rolled_back')), CONSTRAINT "pk_experiments" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_experiments_service" ON "experiments"  ("service") `);
    await queryRunner.query(`CREATE TABLE "experiment_observations" ("id" SERIAL NOT NULL, "experiment_id" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "variants" jsonb NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_experiment_observations" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_experiment_observations_experiment_at" ON "experiment_observations"  ("experiment_id", "at") `);
    await queryRunner.query(`ALTER TABLE "experiment_observations" ADD CONSTRAINT "fk_experiment_observations_experiment" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "experiment_observations" DROP CONSTRAINT "fk_experiment_observations_experiment"`);
    await queryRunner.query(`DROP INDEX "public"."uq_experiment_observations_experiment_at"`);
    await queryRunner.query(`DROP TABLE "experiment_observations"`);
    await queryRunner.query(`DROP INDEX "public"."ix_experiments_service"`);
    await queryRunner.query(`DROP TABLE "experiments"`);
  }
}
