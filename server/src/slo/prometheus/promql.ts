import { formatDuration } from '../../common/duration';

/**
 * PromQL text for Prometheus-backed SLIs. Pure, so what Headroom sends is unit-tested and
 * shown verbatim in error messages.
 */

/**
 * A window as a PromQL duration, in its shortest exact spelling (300 → "5m", 259200 → "3d",
 * 1209600 → "2w"); Prometheus reads s, m, h, d and w exactly as Headroom does (1w = 7d).
 */
export function promDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new Error(`a PromQL window must be a positive whole number of seconds, got ${String(seconds)}`);
  }
  return formatDuration(seconds);
}

/** Replaces every `{{window}}` (spaces inside the braces allowed, as in Sloth's templates). */
export function renderWindowQuery(template: string, windowSeconds: number): string {
  return template.replace(/\{\{\s*window\s*\}\}/g, promDuration(windowSeconds));
}

/** Parses a bucket's `le` label ("0.25", "+Inf", "1e+00"); null when it is not a bound. */
export function parseLe(le: string | undefined): number | null {
  if (le === undefined) return null;
  if (le === '+Inf' || le === 'Inf' || le === 'inf' || le === '+inf') return Number.POSITIVE_INFINITY;
  const n = le.trim() === '' ? Number.NaN : Number(le);
  return Number.isNaN(n) ? null : n;
}

/**
 * Pyrra-style latency SLI as the puller reads it: the per-second rate of requests per bucket,
 * summed across every series the selector matches but kept apart by `le`. `{{window}}` is
 * rendered per step (see pull-plan.ts).
 */
export function latencyBucketsRateQuery(histogramMetric: string, selector: string): string {
  // `metric{}` is valid PromQL, but the empty braces only add noise to logs and evidence.
  const matchers = selector.trim() === '{}' ? '' : selector.trim();
  return `sum by (le) (rate(${histogramMetric}_bucket${matchers}[{{window}}]))`;
}
