import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents link to their likely cause (docs/incidents.md, Likely causes): an incident of a
 * service that depends on another's open incident, or inhibited by an inhibit rule, records the
 * incident that explains it and, while it is held back, that it has not paged.
 */
export class IncidentCauses1766450000000 implements MigrationInterface {
  name = 'IncidentCauses1766450000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incidents" ADD "caused_by_incident_id" integer`);
    await queryRunner.query(`ALTER TABLE "incidents" ADD "held_by_cause" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `ALTER TABLE "incidents" ADD CONSTRAINT "fk_incidents_caused_by" FOREIGN KEY ("caused_by_incident_id") REFERENCES "incidents"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`CREATE INDEX "ix_incidents_caused_by" ON "incidents" ("caused_by_incident_id") WHERE caused_by_incident_id IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_incidents_caused_by"`);
    await queryRunner.query(`ALTER TABLE "incidents" DROP CONSTRAINT "fk_incidents_caused_by"`);
    await queryRunner.query(`ALTER TABLE "incidents" DROP COLUMN "held_by_cause"`);
    await queryRunner.query(`ALTER TABLE "incidents" DROP COLUMN "caused_by_incident_id"`);
  }
}
