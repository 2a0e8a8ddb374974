import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Minute rollups of pushed and simulated data. A counter series (e.g.
 * `simulator/now-playing-ranker/requests`) holds the increase within the minute; a histogram
 * series holds per-bucket (non-cumulative) counts keyed by the bucket's upper bound `le`.
 *
 * `updated_at` is set by the database clock on every insert and update, so the in-memory window
 * cache of every process can read only the rows that changed since its last refresh
 * (see sli-window-cache.ts). The `minute`/`hour` indexes serve the retention job's range
 * deletes: BRIN, small and cheap to maintain, and — unlike a b-tree — never picked by the
 * planner for the cache's (series, minute) lookups, which belong to the primary key.
 */
@Entity({ name: 'sli_counter_minute' })
@Index('ix_sli_counter_minute_updated_at', ['updatedAt'])
@Index('ix_sli_counter_minute_minute', ['minute'], { type: 'brin' })
export class CounterMinute {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_sli_counter_minute' })
  series!: string;

  @PrimaryColumn('timestamptz', { primaryKeyConstraintName: 'pk_sli_counter_minute' })
  minute!: Date;

  @Column('double precision')
  value!: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'clock_timestamp()' })
  updatedAt!: Date;
}

@Entity({ name: 'sli_histogram_minute' })
@Index('ix_sli_histogram_minute_updated_at', ['updatedAt'])
@Index('ix_sli_histogram_minute_minute', ['minute'], { type: 'brin' })
export class HistogramMinute {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_sli_histogram_minute' })
  series!: string;

  @PrimaryColumn('timestamptz', { primaryKeyConstraintName: 'pk_sli_histogram_minute' })
  minute!: Date;

  /** Upper bound in seconds; 'Infinity' for the +Inf bucket. */
  @PrimaryColumn('double precision', { primaryKeyConstraintName: 'pk_sli_histogram_minute' })
  le!: number;

  @Column('double precision')
  count!: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'clock_timestamp()' })
  updatedAt!: Date;
}

/**
 * Hour rollups, written in the same transaction as the minute rows they sum, so windows of a
 * day and more read 24 rows a day per series instead of 1,440. Kept far longer than minutes.
 */
@Entity({ name: 'sli_counter_hour' })
@Index('ix_sli_counter_hour_updated_at', ['updatedAt'])
@Index('ix_sli_counter_hour_hour', ['hour'], { type: 'brin' })
export class CounterHour {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_sli_counter_hour' })
  series!: string;

  @PrimaryColumn('timestamptz', { primaryKeyConstraintName: 'pk_sli_counter_hour' })
  hour!: Date;

  @Column('double precision')
  value!: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'clock_timestamp()' })
  updatedAt!: Date;
}

@Entity({ name: 'sli_histogram_hour' })
@Index('ix_sli_histogram_hour_updated_at', ['updatedAt'])
@Index('ix_sli_histogram_hour_hour', ['hour'], { type: 'brin' })
export class HistogramHour {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_sli_histogram_hour' })
  series!: string;

  @PrimaryColumn('timestamptz', { primaryKeyConstraintName: 'pk_sli_histogram_hour' })
  hour!: Date;

  @PrimaryColumn('double precision', { primaryKeyConstraintName: 'pk_sli_histogram_hour' })
  le!: number;

  @Column('double precision')
  count!: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'clock_timestamp()' })
  updatedAt!: Date;
}
