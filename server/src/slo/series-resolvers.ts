import type { DataSource } from 'typeorm';
import { OtlpSeriesResolver } from './otlp-series-resolver';
import { SimulatorSeriesResolver } from './series';
import type { SeriesResolver } from './sli-reader';

/**
 * Every push source's resolver, in one place for the app (SERIES_RESOLVERS) and the CLI
 * (back-testing). Add a new push source's resolver here.
 */
export function createSeriesResolvers(ds: DataSource): SeriesResolver[] {
  return [new SimulatorSeriesResolver(), new OtlpSeriesResolver(ds)];
}
