import type { EntityManager } from 'typeorm';

/**
 * The SLI store answers "how many events / which histogram buckets for this series over this
 * window". Sources write batches; evaluation reads window sums and never knows which
 * implementation (minute rollups, or PromQL on demand) answers.
 */
export interface CounterSample {
  series: string;
  at: Date;
  /** The increase during the sample's interval (not a cumulative counter value). */
  value: number;
}

export interface HistogramSample {
  series: string;
  at: Date;
  /** Per-bucket (non-cumulative) counts by upper bound; `le` Infinity for the +Inf bucket. */
  buckets: Array<{ le: number; count: number }>;
}

export interface SampleBatch {
  source: string;
  counters: CounterSample[];
  histograms: HistogramSample[];
  /**
   * The samples are whole hours' increases, for hours older than the minute rollups are kept
   * (a Prometheus backfill): only hour rows are written.
   */
  hoursOnly?: boolean;
}

export interface WindowQuery {
  series: string[];
  now: Date;
  windowsSeconds: number[];
}

/** Sum per series per window (seconds). */
export type CounterWindowSums = Map<string, Map<number, number>>;
/** Per series per window: cumulative buckets sorted by le, ready for quantile maths. */
export type HistogramWindowSums = Map<string, Map<number, Array<{ le: number; count: number }>>>;

export interface SliStore {
  /** Writes a batch inside the caller's transaction. */
  write(manager: EntityManager, batch: SampleBatch): Promise<void>;
  counterSums(q: WindowQuery): Promise<CounterWindowSums>;
  histogramSums(q: WindowQuery): Promise<HistogramWindowSums>;
  /** Row-level reads for the in-memory window cache; absent when the store cannot offer them. */
  readonly rows?: SliRowFeed;
}

export type Resolution = 'minute' | 'hour';

/**
 * The rows of one series at one resolution, in no particular order: `at[i]` is the bucket
 * index (epoch minutes or epoch hours, see sli-windows.ts) and `value[i]` the stored value.
 * Histogram series carry one entry per bucket bound (`le[i]`, Infinity for +Inf), so a bucket
 * index repeats once per bound.
 */
export interface SeriesRows {
  kind: 'counter' | 'histogram';
  resolution: Resolution;
  series: string;
  at: RowNumbers;
  value: RowNumbers;
  le?: RowNumbers;
}

export type RowNumbers = number[] | Float64Array;

export interface RowQuery {
  counters: string[];
  histograms: string[];
  /** Oldest bucket index wanted, per resolution. */
  from: Record<Resolution, number>;
  /**
   * Only the buckets changed at or after this database time, each whole (every bound of a
   * histogram bucket), so that a bucket can be recomputed from what comes back.
   */
  changedSince?: Date;
  /**
   * With changedSince: hour rows only of hours before this hour index. The hour in progress
   * is summed by no window (see windowPlan) and changes with every write; the cache adds it
   * up from its minutes once it is complete.
   */
  changedHoursBefore?: number;
}

/** When a change feed may safely resume: see nextWatermark in sli-window-cache.ts. */
export interface WatermarkProbe {
  /** The database clock when probed (before any data is read). */
  at: Date;
  /** Start of the oldest open transaction of another session on this database, if any. */
  oldestOpen: Date | null;
  /** Sessions whose transaction start this role may not see (another role without pg_read_all_stats). */
  hiddenSessions: number;
}

/**
 * Reads rollup rows as stored, with their absolute values: a whole range for hydration, or
 * only the rows written since a database-clock watermark. Applying a row twice is harmless.
 */
export interface SliRowFeed {
  probe(): Promise<WatermarkProbe>;
  /**
   * How far back a refresh may start (ms of database time): the change log before that may be
   * gone, so a cache whose watermark is older loads again. Unlimited when absent.
   */
  readonly horizonMs?: number;
  /** Minute and hour rows of these series, from both tables, in as few round trips as it can. */
  read(q: RowQuery): Promise<SeriesRows[]>;
  /** The same rows a chunk at a time, so a large load is applied while the next chunk is read. */
  readInChunks?(q: RowQuery): AsyncIterable<SeriesRows[]>;
}

export const SLI_STORE = Symbol('SLI_STORE');
