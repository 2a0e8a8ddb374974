import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Minute rollups of pushed and simulated data. A counter series (e.g.
 * `simulator/now-playing-ranker/requests`) holds the increase within the minute; a histogram
 * series holds per-bucket (non-cumulative) counts keyed by the bucket's upper bound `le`.
 */
@Entity({ name: 'sli_counter_minute' })
export class CounterMinute {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_sli_counter_minute' })
  series!: string;

  @PrimaryColumn('timestamptz', { primaryKeyConstraintName: 'pk_sli_counter_minute' })
  minute!: Date;

  @Column('double precision')
  value!: number;
}

@Entity({ name: 'sli_histogram_minute' })
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
