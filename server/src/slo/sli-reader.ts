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

/**
 * The same answer as columns, for readers that answer thousands of SLOs a pass: no Map and no
 * object per SLO and window. SLO row r, window column c (the position in `windowsSeconds`) is
 * at index r * windowsSeconds.length + c of `good`, `total` and `present` (0 = no data for that
 * window, as a missing Map key).
 */
export interface WindowCountsTable {
  windowsSeconds: readonly number[];
  rows: ReadonlyMap<string, number>;
  good: Float64Array;
  total: Float64Array;
  present: Uint8Array;
  /** SLOs whose source could not answer (no-data, never ok), by id. */
  errors: ReadonlyMap<string, string>;
}

export interface SliReader {
  readonly sources: ReadonlyArray<SliSpec['source']>;
  windowCounts(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<Map<string, SloWindowCounts>>;
  /** The same answer as windowCounts, as columns; readers of many SLOs offer it. */
  windowTable?(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<WindowCountsTable>;
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
export type SloSeries = (
  | { kind: 'events'; total: string[]; bad: string[]; good?: undefined }
  | { kind: 'events'; total: string[]; good: string[]; bad?: undefined }
  | { kind: 'latency'; histogram: string[]; thresholdSeconds: number }
) & {
  /**
   * Why the stored series cannot be trusted yet (a pulled series still backfilling, or its last
   * pull failed): the SLO is in no-data with this reason, never ok.
   */
  noData?: string;
};

/** Resolves SLOs of one source to the series stored for them. */
export interface SeriesResolver {
  readonly source: SliSpec['source'];
  resolve(slos: SloDefinition[]): Promise<Map<string, SloSeries>>;
}

/** windowCounts' answer as a table (for readers without windowTable). */
export function tableOfCounts(counts: ReadonlyMap<string, SloWindowCounts>, windowsSeconds: readonly number[]): WindowCountsTable {
  const n = windowsSeconds.length;
  const rows = new Map<string, number>();
  const errors = new Map<string, string>();
  const good = new Float64Array(counts.size * n);
  const total = new Float64Array(counts.size * n);
  const present = new Uint8Array(counts.size * n);
  for (const [id, c] of counts) {
    const row = rows.size;
    rows.set(id, row);
    if (c.error !== undefined) errors.set(id, c.error);
    for (let i = 0; i < n; i++) {
      const w = c.windows.get(windowsSeconds[i]);
      if (!w) continue;
      good[row * n + i] = w.good;
      total[row * n + i] = w.total;
      present[row * n + i] = 1;
    }
  }
  return { windowsSeconds, rows, good, total, present, errors };
}

/** One SLO's row of a table back as windowCounts answers it. */
export function countsOfTable(table: WindowCountsTable, id: string): SloWindowCounts | undefined {
  const row = table.rows.get(id);
  if (row === undefined) return undefined;
  const n = table.windowsSeconds.length;
  const windows = new Map<number, WindowCounts>();
  for (let i = 0; i < n; i++) {
    if (table.present[row * n + i] === 1) windows.set(table.windowsSeconds[i], { good: table.good[row * n + i], total: table.total[row * n + i] });
  }
  const error = table.errors.get(id);
  return error === undefined ? { windows } : { windows, error };
}
