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
}

export const SLI_STORE = Symbol('SLI_STORE');

/** Lets evaluation run right after a batch lands without sources importing evaluation. */
export type IngestListener = (event: { source: string; series: Set<string>; at: Date }) => Promise<void> | void;

export class IngestEvents {
  private readonly listeners: IngestListener[] = [];
  subscribe(listener: IngestListener): void {
    this.listeners.push(listener);
  }
  async batchWritten(event: { source: string; series: Set<string>; at: Date }): Promise<void> {
    for (const l of this.listeners) await l(event);
  }
}
