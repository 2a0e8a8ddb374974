import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Minute rollups of pushed and simulated data. A counter series (e.g.
 * `simulator/now-playing-ranker/requests`) holds the increase within the minute; a histogram
 * series holds per-bucket (non-cumulative) counts keyed by the bucket's upper bound `le`.
 *
 * No column changes on an upsert but the count, and no index covers the count: PostgreSQL can
 * then rewrite a row in place on its page (a HOT update, helped by the tables' fillfactor of
 * 70), without adding an entry to any index. Which buckets changed, for the window caches, is
 * in `sli_changes`. The `minute`/`hour` indexes serve the retention job's range deletes: BRIN,
 * small and cheap to maintain, and — unlike a b-tree — never picked by the planner for the
 * cache's (series, minute) lookups, which belong to the primary key.
 */
@Entity({ name: 'sli_counter_minute' })
@Index('ix_sli_counter_minute_minute', ['minute'], { type: 'brin' })
export class CounterMinute {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_sli_counter_minute' })
  series!: string;

  @PrimaryColumn('timestamptz', { primaryKeyConstraintName: 'pk_sli_counter_minute' })
  minute!: Date;

  @Column('double precision')
  value!: number;
}

@Entity({ name: 'sli_histogram_minute' })
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
}

/**
 * Hour rollups, written in the same transaction as the minute rows they sum, so windows of a
 * day and more read 24 rows a day per series instead of 1,440. Kept far longer than minutes.
 */
@Entity({ name: 'sli_counter_hour' })
@Index('ix_sli_counter_hour_hour', ['hour'], { type: 'brin' })
export class CounterHour {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_sli_counter_hour' })
  series!: string;

  @PrimaryColumn('timestamptz', { primaryKeyConstraintName: 'pk_sli_counter_hour' })
  hour!: Date;

  @Column('double precision')
  value!: number;
}

@Entity({ name: 'sli_histogram_hour' })
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
}

/**
 * The change feed of the rollup tables: every transaction that writes rollups adds one row
 * listing the (series, minute) buckets it wrote (their hours follow from the minutes), stamped
 * by the database clock. The window cache of every process reads the rows stamped since its
 * watermark and re-reads those buckets whole (see sli-window-cache.ts). One row per batch
 * costs far less than stamping and indexing every rollup row. Kept for FEED_RETENTION_MS.
 */
@Entity({ name: 'sli_changes' })
@Index('ix_sli_changes_at', ['at'])
export class SliChange {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_sli_changes' })
  id!: string;

  @Column('timestamptz', { default: () => 'clock_timestamp()' })
  at!: Date;

  /** Parallel to `minutes`: the i-th bucket is series[i] at minute index minutes[i] (epoch minutes). */
  @Column('text', { array: true })
  series!: string[];

  @Column('integer', { array: true })
  minutes!: number[];
}
