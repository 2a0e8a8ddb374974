import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The change log (deploys, config pushes, experiment ramps), owned by changes/; and a `changes` kind of integration key. */
export class Changes1766500000000 implements MigrationInterface {
  name = 'Changes1766500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "changes" ("id" SERIAL NOT NULL, "service" text NOT NULL, "kind" text NOT NULL, "summary" text NOT NULL, "version" text,
        "previous_version" text, "link" text, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "labels" jsonb NOT NULL DEFAULT '{}', "source" text NOT NULL,
        "reported_by" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "ck_changes_kind" CHECK (kind IN ('deploy', 'config', 'experiment', 'feature-flag', 'other')),
        CONSTRAINT "ck_changes_source" CHECK (source IN ('api', 'pagerduty', 'flagger', 'experiments')),
        CONSTRAINT "pk_changes" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_changes_service_at" ON "changes" ("service", "at")`);
    await queryRunner.query(`CREATE INDEX "ix_changes_at" ON "changes" ("at")`);
    await queryRunner.query(`ALTER TABLE "integration_keys" DROP CONSTRAINT "ck_integration_keys_kind"`);
    await queryRunner.query(`ALTER TABLE "integration_keys" ADD CONSTRAINT "ck_integration_keys_kind" CHECK (kind IN ('alertmanager', 'pagerduty', 'otlp', 'experiments', 'heartbeat', 'changes'))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "integration_keys" WHERE "kind" = 'changes'`);
    await queryRunner.query(`ALTER TABLE "integration_keys" DROP CONSTRAINT "ck_integration_keys_kind"`);
    await queryRunner.query(`ALTER TABLE "integration_keys" ADD CONSTRAINT "ck_integration_keys_kind" CHECK (kind IN ('alertmanager', 'pagerduty', 'otlp', 'experiments', 'heartbeat'))`);
    await queryRunner.query(`DROP TABLE "changes"`);
  }
}
