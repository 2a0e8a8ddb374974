import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How far each pulled Prometheus query is stored in the SLI rollups (see prometheus-puller.ts).
 * The cursor moves in the same transaction as the rollups it covers, so a restart never counts
 * a minute twice and never skips one.
 */
@Entity({ name: 'prometheus_pulls' })
@Check('ck_prometheus_pulls_kind', `kind IN ('counter', 'histogram')`)
export class PrometheusPull {
  /** The stored series name (pulledSeriesName). */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_prometheus_pulls' })
  series!: string;

  @Column('text')
  server!: string;

  @Column('text')
  kind!: 'counter' | 'histogram';

  /** The query template (with `{{window}}`), shown in the SLO's pull progress. */
  @Column('text')
  query!: string;

  @Column('timestamptz', { name: 'backfill_from' })
  backfillFrom!: Date;

  /** Before this the backfill pulled whole hours (minute rollups there are not kept). */
  @Column('timestamptz', { name: 'minute_from' })
  minuteFrom!: Date;

  @Column('timestamptz', { name: 'pulled_until' })
  pulledUntil!: Date;

  /** Values stored for the minutes the next pull reads again (see tailDeltas). */
  @Column('jsonb', { default: () => "'{}'" })
  tail!: Record<string, unknown>;

  @Column('timestamptz', { name: 'caught_up_at', nullable: true })
  caughtUpAt!: Date | null;

  /** The last pull's failure, cleared by the next success; its SLOs read as no-data meanwhile. */
  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { name: 'last_attempt_at', nullable: true })
  lastAttemptAt!: Date | null;

  @Column('timestamptz', { name: 'last_success_at', nullable: true })
  lastSuccessAt!: Date | null;
}
