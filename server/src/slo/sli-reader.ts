import type { SliSpec, SloDefinition } from '../rules/slo-definition';
import type { WindowCounts } from './burn-rate';

/**
 * What evaluation asks: good and total events for each SLO over each window ending at `now`.
 * One implementation answers from Headroom's own rollups (simulator, OTLP push), another by
 * querying Prometheus on demand; the evaluator does not know which it talks to.
 */
export interface SloWindowCounts {
  /** Missing windows mean no data. */
  windows: Map<number, WindowCounts>;
  /** Set when the source could not answer (query failed): the SLO is in no-data, never ok. */
  error?: string;
}

export interface SliReader {
  readonly sources: ReadonlyArray<SliSpec['source']>;
  windowCounts(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<Map<string, SloWindowCounts>>;
  /** For push sources: which of these SLOs read any of the series an ingest batch wrote. */
  slosTouchedBy?(slos: SloDefinition[], series: ReadonlySet<string>): Promise<SloDefinition[]>;
}

/** Nest token for the list of readers; the evaluator picks one per SLO by its source. */
export const SLI_READERS = Symbol('SLI_READERS');
/** Nest token for the list of series resolvers of push sources (simulator, OTLP). */
export const SERIES_RESOLVERS = Symbol('SERIES_RESOLVERS');

/**
 * Which stored series an SLO reads. Several series are summed (e.g. one OTLP series per
 * attribute combination).
 */
export type SloSeries =
  | { kind: 'events'; total: string[]; bad: string[]; good?: undefined }
  | { kind: 'events'; total: string[]; good: string[]; bad?: undefined }
  | { kind: 'latency'; histogram: string[]; thresholdSeconds: number };

/** Resolves SLOs of one source to the series stored for them. */
export interface SeriesResolver {
  readonly source: SliSpec['source'];
  resolve(slos: SloDefinition[]): Promise<Map<string, SloSeries>>;
}
