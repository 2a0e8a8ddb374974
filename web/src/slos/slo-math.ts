import type { BurnRatePoint, LatencyAnswer, SloDetail } from './types';

/**
 * Pure helpers that turn the SLO API's answers into what the charts and tables draw.
 * No React here, so they are unit-tested on their own (slo-math.spec.ts).
 */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "5m" → 300, so windows sort by length; unknown formats sort last. */
export function windowSeconds(window: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(window.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[match[2]] : Number.POSITIVE_INFINITY;
}

export const byWindowLength = (a: string, b: string): number =>
  windowSeconds(a) - windowSeconds(b) || a.localeCompare(b);

export type BurnRateRow = { t: number } & Record<string, number | null>;

/**
 * Burn-rate history as chart rows: `t` in ms since the epoch and one number (or null: too few
 * events in that window then) per window; the windows shortest first.
 */
export function burnRateSeries(points: BurnRatePoint[]): { windows: string[]; rows: BurnRateRow[] } {
  const windows = [...new Set(points.flatMap((p) => Object.keys(p).filter((k) => k !== 'at')))].sort(byWindowLength);
  const rows = points
    .map((p) => {
      const row: BurnRateRow = { t: Date.parse(p.at) };
      for (const w of windows) {
        const v = p[w];
        row[w] = typeof v === 'number' && Number.isFinite(v) ? v : null;
      }
      return row;
    })
    .filter((row) => Number.isFinite(row.t));
  return { windows, rows };
}

/** True when at least one window has two points, i.e. a line can be drawn. */
export function hasBurnRateLine(rows: BurnRateRow[], windows: string[]): boolean {
  return windows.some((w) => rows.filter((r) => r[w] != null).length >= 2);
}

/**
 * A log axis cannot show 0: a burn rate of 0 (no errors at all) is drawn at the floor instead,
 * which reads as "far below budget" rather than as a gap.
 */
export function clampForLog(rows: BurnRateRow[], windows: string[], floor: number): BurnRateRow[] {
  return rows.map((row) => {
    const out: BurnRateRow = { t: row.t };
    for (const w of windows) {
      const v = row[w];
      out[w] = v == null ? null : Math.max(v, floor);
    }
    return out;
  });
}

export interface BudgetRow {
  t: number;
  remaining: number | null;
}

export function budgetSeries(budget: SloDetail['history']['budget']): BudgetRow[] {
  return budget
    .map((b) => ({ t: Date.parse(b.at), remaining: typeof b.remaining === 'number' && Number.isFinite(b.remaining) ? b.remaining : null }))
    .filter((b) => Number.isFinite(b.t));
}

export interface HistogramBar {
  /** "≤ 25 ms", "> 10 s" */
  label: string;
  /** Upper bound in seconds (Infinity for the last bucket). */
  le: number;
  /** Requests in this bucket that met the latency threshold… */
  within: number;
  /** …and those that did not (a bucket counts as slow when its upper bound is above the threshold). */
  over: number;
}

/**
 * Prometheus-style cumulative buckets ("requests at most le seconds") → requests per bucket.
 * Counts from a window can shrink between buckets only through a bug or a reset; such a
 * difference is drawn as 0 rather than as a negative bar.
 */
export function histogramBars(buckets: LatencyAnswer['buckets'], thresholdSeconds: number | null): HistogramBar[] {
  const sorted = buckets
    .map((b) => ({ le: b.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(b.le), count: b.count }))
    .filter((b) => !Number.isNaN(b.le))
    .sort((a, b) => a.le - b.le);
  let previous = 0;
  let previousLe = 0;
  return sorted.map((b) => {
    const count = Math.max(0, b.count - previous);
    previous = Math.max(previous, b.count);
    const label = Number.isFinite(b.le) ? `≤ ${formatLatency(b.le)}` : `> ${formatLatency(previousLe)}`;
    previousLe = b.le;
    const slow = thresholdSeconds != null && b.le > thresholdSeconds;
    return { label, le: b.le, within: slow ? 0 : count, over: slow ? count : 0 };
  });
}

/** 0.0653 → "65.3 ms", 1.25 → "1.25 s". */
export function formatLatency(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Number((seconds * 1000).toPrecision(3))} ms`;
  return `${Number(seconds.toPrecision(3))} s`;
}

/** 0.5 → "p50", 0.999 → "p99.9". */
export function quantileLabel(q: number): string {
  return `p${Number((q * 100).toPrecision(6))}`;
}

/** The quantiles to ask for: the usual ones and the SLO's own objective (p99.9 for 99.9 %). */
export function quantilesFor(objective: number | null | undefined): number[] {
  const qs = [0.5, 0.9, 0.99];
  if (objective != null && objective > 0 && objective < 1) qs.push(Number(objective.toPrecision(6)));
  return [...new Set(qs)].sort((a, b) => a - b);
}

/** 3725 → "1h 2m"; seconds only under a minute; the two largest units. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const parts: string[] = [];
  const units: Array<[string, number]> = [['d', 86400], ['h', 3600], ['m', 60]];
  let rest = s;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.slice(0, 2).join(' ');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A date as the value of an `<input type="datetime-local">`: the viewer's local time to the minute. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of a datetime-local input (local time) as an ISO instant, or null when empty or invalid. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * The latest instant the server is known to have data for. The server's clock can run ahead
 * of the viewer's (simulated time in demos, or a skewed laptop clock), and a back-test that
 * ends at the browser's "now" would then miss the newest minutes.
 */
export function latestKnownTime(slo: Pick<SloDetail, 'evaluatedAt' | 'history'>, nowMs: number): number {
  const candidates = [nowMs, Date.parse(slo.evaluatedAt ?? ''), Date.parse(slo.history?.burnRates?.at(-1)?.at ?? '')];
  return Math.max(...candidates.filter((c) => Number.isFinite(c)));
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The last 24 h up to `latestMs`, as datetime-local values (the end rounded up to the minute). */
export function defaultBacktestRange(latestMs: number): { from: string; to: string } {
  const to = Math.ceil(latestMs / MINUTE) * MINUTE;
  return { from: toLocalInput(to - DAY), to: toLocalInput(to) };
}

/** The smallest "round" number (1, 2, 2.5 or 5 times a power of ten) at or above `value`: an axis top that reads well. */
export function niceCeil(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= value * (1 - 1e-12)) ?? 10;
  return Number((step * power).toPrecision(12));
}
