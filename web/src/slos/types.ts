export type SloState = 'ok' | 'ticket' | 'page' | 'no-data';
export type Severity = 'page' | 'ticket';

export interface Slo {
  id: string;
  service: string;
  name: string;
  kind: 'events' | 'latency';
  source: string;
  objective: number;
  /** The SLO period as a duration, e.g. "30d". */
  period: string;
  /** Latency SLOs: a request slower than this is bad. */
  thresholdSeconds: number | null;
  runbookId: string | null;
  state: SloState;
  /** Why the SLO has no data (a failing query, not evaluated yet…). */
  noDataReason: string | null;
  /** When the SLO entered its current state. */
  since: string | null;
  /** Burn rate per window ("5m", "1h", …); null when the window had too few events. */
  burnRates: Record<string, number | null>;
  /** Fraction of the error budget left in the SLO period; negative once overspent. */
  budgetRemaining: number | null;
  evaluatedAt: string | null;
}

/** One multi-window condition as the evaluator last saw it: fires when both windows burn faster than `threshold`. */
export interface WindowPair {
  severity: Severity;
  long: string;
  short: string;
  threshold: number;
  longBurn: number | null;
  shortBurn: number | null;
  firing: boolean;
}

export interface SloEvidence {
  windowPairs?: WindowPair[];
  events?: Record<string, { good: number; total: number } | null>;
  error?: string;
  evaluatedAt?: string;
}

/** A point of the burn-rate history: `at` and one burn rate per window. */
export type BurnRatePoint = { at: string } & Record<string, string | number | null>;

export interface SloHistory {
  burnRates: BurnRatePoint[];
  budget: Array<{ at: string; remaining: number | null }>;
}

/** How far one query of a Prometheus-backed SLO is pulled into Headroom's rollups. */
export interface PullProgress {
  series: string;
  query: string | null;
  pulledUntil: string | null;
  backfillPercent: number;
  caughtUpAt: string | null;
  lastError: string | null;
}

export interface SloDetail extends Slo {
  evidence: SloEvidence;
  history: SloHistory;
  /** Prometheus-backed SLOs only. */
  pull: PullProgress[] | null;
}

export interface LatencyAnswer {
  window: string;
  quantiles: Array<{ q: number; value: number | null }>;
  /** Cumulative counts; the last `le` is "+Inf". */
  buckets: Array<{ le: number | '+Inf'; count: number }>;
}

/** GET /api/slos/:id/latency/history: quantiles and bucket counts per step. */
export interface LatencyHistory {
  points: Array<{
    at: string;
    total: number;
    quantiles: Array<{ q: number; value: number | null }>;
    buckets: Array<{ le: number | '+Inf'; count: number }>;
  }>;
}

export interface BacktestAlerting {
  page?: boolean;
  ticket?: boolean;
  minEvents?: number;
}

export interface BacktestRequest {
  from: string;
  to: string;
  alerting?: BacktestAlerting;
}

export interface BacktestResult {
  from: string;
  to: string;
  alerts: Array<{ severity: Severity; start: string; end: string; durationSeconds: number }>;
  breaches: Array<{ start: string; end: string; durationSeconds: number; detectionSeconds: number | null }>;
  summary: {
    pages: number;
    tickets: number;
    pagedSeconds: number;
    ticketedSeconds: number;
    breaches: number;
    undetected: number;
  };
}
