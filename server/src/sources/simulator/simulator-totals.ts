import { LATENCY_BUCKET_BOUNDS_SECONDS, type IntervalSample } from './traffic-model';

/** One piece of simulated traffic, as the simulator wrote it into the SLI store. */
export interface SimulatedPiece {
  service: string;
  from: Date;
  /** Exclusive end. */
  to: Date;
  sample: IntervalSample;
}

/** What one simulated service has served since the totals started (cumulative, never reset). */
export interface ServiceTotals {
  service: string;
  requests: number;
  errors: number;
  /** Per latency bucket, NOT cumulative; the last entry is +Inf (LATENCY_BUCKET_BOUNDS_SECONDS). */
  latencyBucketCounts: number[];
  latencySumSeconds: number;
}

export interface TotalsSnapshot {
  /** Start of the cumulative counts: OTLP's start_time; a restart starts them over. */
  startedAt: Date;
  /** End of the latest piece counted: the point's time (startedAt until a piece arrives). */
  until: Date;
  bounds: readonly number[];
  services: ServiceTotals[];
}

/**
 * The simulated services' counters, cumulative since `startedAt`, fed with the very pieces the
 * simulator writes into the SLI store, so what Prometheus scrapes and what OTLP pushes count the
 * same requests as the store. Pieces that start before `startedAt` are left out: they are the
 * history written at start (backfill, or catch-up after a restart), and a counter that jumped by
 * hours of traffic at its first scrape would show Prometheus a burst that never happened.
 */
export class SimulatorTotals {
  private readonly totals = new Map<string, { requests: number; errors: number; buckets: number[]; sumMicroseconds: number }>();
  private until: Date;

  constructor(
    readonly startedAt: Date,
    services: readonly string[],
  ) {
    this.until = startedAt;
    // Every service is there from the first scrape, at zero: Prometheus sees the first increase.
    for (const service of services) this.totals.set(service, { requests: 0, errors: 0, buckets: new Array<number>(LATENCY_BUCKET_BOUNDS_SECONDS.length + 1).fill(0), sumMicroseconds: 0 });
  }

  add(pieces: readonly SimulatedPiece[]): void {
    for (const piece of pieces) {
      if (piece.from.getTime() < this.startedAt.getTime()) continue;
      const t = this.totals.get(piece.service);
      if (!t) continue;
      t.requests += piece.sample.requests;
      t.errors += piece.sample.errors;
      piece.sample.latencyBucketCounts.forEach((count, i) => (t.buckets[i] += count));
      t.sumMicroseconds += piece.sample.latencySumMicroseconds;
      if (piece.to.getTime() > this.until.getTime()) this.until = piece.to;
    }
  }

  snapshot(): TotalsSnapshot {
    return {
      startedAt: this.startedAt,
      until: this.until,
      bounds: LATENCY_BUCKET_BOUNDS_SECONDS,
      services: [...this.totals].map(([service, t]) => ({
        service,
        requests: t.requests,
        errors: t.errors,
        latencyBucketCounts: [...t.buckets],
        latencySumSeconds: t.sumMicroseconds / 1e6,
      })),
    };
  }
}
