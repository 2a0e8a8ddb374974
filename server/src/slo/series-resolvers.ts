import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import { OtlpSeriesResolver } from './otlp-series-resolver';
import { PrometheusSeriesResolver } from './prometheus/prometheus-series-resolver';
import { SimulatorSeriesResolver } from './series';
import type { SeriesResolver } from './sli-reader';

/**
 * Every source's resolver to stored series, in one place for the app (SERIES_RESOLVERS) and the
 * CLI (back-testing). Add a new source's resolver here.
 */
export function createSeriesResolvers(ds: DataSource, clock: Clock): SeriesResolver[] {
  return [new SimulatorSeriesResolver(), new OtlpSeriesResolver(ds), new PrometheusSeriesResolver(ds, clock)];
}
