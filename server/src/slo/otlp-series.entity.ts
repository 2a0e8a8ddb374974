import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The catalog of OTLP series (service.name + metric + kind + point attributes), written by the
 * OTLP source when a series first appears and read by OtlpSeriesResolver to find every series
 * an SLO's binding matches (metric, serviceName and an attribute subset). Insert-only: the hot,
 * changing per-stream state lives in otlp_stream_state.
 */
@Entity({ name: 'otlp_series' })
@Check('ck_otlp_series_kind', `kind IN ('sum', 'histogram', 'exponential_histogram')`)
@Index('ix_otlp_series_service_metric', ['serviceName', 'metricName'])
export class OtlpSeries {
  /** The series name in the SLI store rollups. */
  @PrimaryColumn('text', { name: 'series_id', primaryKeyConstraintName: 'pk_otlp_series' })
  seriesId!: string;

  @Column('text', { name: 'service_name' })
  serviceName!: string;

  @Column('text', { name: 'metric_name' })
  metricName!: string;

  @Column('text')
  kind!: 'sum' | 'histogram' | 'exponential_histogram';

  @Column('text', { default: '' })
  unit!: string;

  @Column('jsonb', { default: () => "'{}'" })
  attributes!: Record<string, string | number | boolean | null>;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
