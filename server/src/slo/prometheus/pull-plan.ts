import { createHash } from 'node:crypto';
import type { PrometheusServer, SloDefinition } from '../../rules/slo-definition';
import type { SloSeries } from '../sli-reader';
import type { CounterSample, HistogramSample } from '../sli-store';
import { latencyBucketsRateQuery, parseLe, renderWindowQuery } from './promql';
import { PrometheusQueryError, type QueryResult } from './prometheus-response';

/**
 * What the Prometheus puller asks and when: pure, so the cursor arithmetic (backfill, catch-up,
 * the re-read tail) is unit-tested without a server.
 *
 * Every pulled query answers a per-second rate; the puller evaluates it with `query_range` at
 * the end of each step and stores rate × step as the step's increase: the value at t covers
 * (t − step, t], so it belongs to the bucket that starts at t − step. Steps are whole minutes,
 * or whole hours for the part of a backfill older than the minute rollups are kept.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export type PulledKind = 'counter' | 'histogram';

/** One query Headroom pulls, shared by every SLO that reads it. */
export interface PulledSeries {
  /** The name its increases are stored under in the SLI rollups. */
  series: string;
  server: string;
  kind: PulledKind;
  /** The query with `{{window}}` still in it; rendered per step (1m… or 1h). */
  template: string;
  /** The longest period of the SLOs that read it: how far back a first sight backfills. */
  periodSeconds: number;
  /**
   * Every SLO reads it as its errors: no series is then no errors (a service that never failed
   * often has no error series). A total or a histogram without series is no data.
   */
  emptyMeansZero: boolean;
}

/** The SLO's queries, as the templates the puller renders per step. */
function templatesOf(slo: SloDefinition): Array<{ role: 'errors' | 'total' | 'histogram'; kind: PulledKind; template: string; server: string }> {
  const sli = slo.sli;
  if (sli.source !== 'prometheus') return [];
  if (sli.kind === 'events') {
    return [
      { role: 'errors', kind: 'counter', template: sli.errorQuery, server: sli.server },
      { role: 'total', kind: 'counter', template: sli.totalQuery, server: sli.server },
    ];
  }
  return [{ role: 'histogram', kind: 'histogram', template: latencyBucketsRateQuery(sli.histogramMetric, sli.selector), server: sli.server }];
}

/**
 * A stored series name for a pulled query: the server and a digest of the query, so the same
 * query text read by several SLOs is pulled and stored once, and an edited query starts afresh.
 */
export function pulledSeriesName(server: string, kind: PulledKind, template: string): string {
  const digest = createHash('sha256').update(`${kind}\u0000${template}`).digest('hex').slice(0, 20);
  return `prometheus/${server}/${digest}`;
}

/** The stored series an SLO reads (errors are the bad events of its total). */
export function prometheusSeriesForSlo(slo: SloDefinition): SloSeries | undefined {
  const sli = slo.sli;
  if (sli.source !== 'prometheus') return undefined;
  const name = (t: ReturnType<typeof templatesOf>[number]) => pulledSeriesName(t.server, t.kind, t.template);
  const [first, second] = templatesOf(slo);
  if (sli.kind === 'latency') return { kind: 'latency', histogram: [name(first)], thresholdSeconds: sli.thresholdSeconds };
  return { kind: 'events', total: [name(second)], bad: [name(first)] };
}

/** Every distinct query of these SLOs, once, with the longest period that reads it. */
export function pulledSeriesOf(slos: readonly SloDefinition[]): PulledSeries[] {
  const out = new Map<string, PulledSeries>();
  for (const slo of slos) {
    for (const t of templatesOf(slo)) {
      const series = pulledSeriesName(t.server, t.kind, t.template);
      const seen = out.get(series);
      if (seen) {
        seen.periodSeconds = Math.max(seen.periodSeconds, slo.periodSeconds);
        seen.emptyMeansZero &&= t.role === 'errors';
      } else {
        out.set(series, { series, server: t.server, kind: t.kind, template: t.template, periodSeconds: slo.periodSeconds, emptyMeansZero: t.role === 'errors' });
      }
    }
  }
  return [...out.values()];
}

/** A pulled series' progress, as the puller keeps it (one row per series). */
export interface PullCursor {
  /** Where the backfill started (the period before first sight, on an hour). */
  backfillFrom: number;
  /** Before this (an hour), the backfill pulls whole hours: minute rollups there would be deleted. */
  minuteFrom: number;
  /** Everything before this (ms, a whole minute) is stored. */
  pulledUntil: number;
  /** The last values stored for the minutes the next pull reads again (see TAIL). */
  tail: PullTail;
  /** When the cursor first reached the present (null while backfilling). */
  caughtUpAt: number | null;
}

/** Per bucket start (ms, as text): a counter's increase, or a histogram's counts by bound. */
export type PullTail = Record<string, number | Record<string, number>>;

export interface PullSettings {
  /** How far back rates look at minute steps (the server's `rateWindow`), seconds. */
  rateWindowSeconds: number;
  /** How long minute rollups are kept (HEADROOM_RETENTION_MINUTES), seconds. */
  minuteRetentionSeconds: number;
}

/** Steps per range query: bounded, far under Prometheus' 11,000 points per series. */
export const STEPS_PER_CHUNK = 720;

/**
 * Minutes read again on every pull: the rate window (a sample scraped late changes every step
 * whose window holds it) and two more for scrape and rule lag. Their stored values are replaced
 * by what Prometheus says now (see tailDeltas).
 */
export function tailMinutes(settings: PullSettings): number {
  return Math.ceil(settings.rateWindowSeconds / 60) + 2;
}

/** A new series' cursor: its whole period to backfill, hours first where minutes are not kept. */
export function newCursor(now: number, periodSeconds: number, settings: PullSettings): PullCursor {
  const backfillFrom = Math.floor((now - periodSeconds * 1000) / HOUR_MS) * HOUR_MS;
  const minuteFrom = Math.max(backfillFrom, Math.ceil((now - settings.minuteRetentionSeconds * 1000) / HOUR_MS) * HOUR_MS);
  return { backfillFrom, minuteFrom, pulledUntil: backfillFrom, tail: {}, caughtUpAt: null };
}

export interface PullRange {
  /** First bucket start read (ms); earlier than the cursor by the tail. */
  from: number;
  /** The new cursor: buckets before this are stored after the pull. */
  until: number;
  stepSeconds: 60 | 3600;
  /** query_range's start and end: the end of the first and of the last step. */
  start: number;
  end: number;
}

/** The last whole minute before `now`: the newest bucket a pull may store. */
export function lastCompleteMinute(now: number): number {
  return Math.floor(now / MINUTE_MS) * MINUTE_MS;
}

/** The next range to pull for a cursor, or null when it is up to date. */
export function nextRange(cursor: PullCursor, now: number, settings: PullSettings): PullRange | null {
  if (cursor.pulledUntil < cursor.minuteFrom) {
    const until = Math.min(cursor.minuteFrom, cursor.pulledUntil + STEPS_PER_CHUNK * HOUR_MS);
    return { from: cursor.pulledUntil, until, stepSeconds: 3600, start: cursor.pulledUntil + HOUR_MS, end: until };
  }
  const present = lastCompleteMinute(now);
  if (present <= cursor.pulledUntil) return null;
  const from = Math.max(cursor.minuteFrom, cursor.pulledUntil - tailMinutes(settings) * MINUTE_MS);
  // A long catch-up goes a chunk at a time; each chunk re-reads the tail before the cursor.
  const until = Math.min(present, cursor.pulledUntil + STEPS_PER_CHUNK * MINUTE_MS);
  return { from, until, stepSeconds: 60, start: from + MINUTE_MS, end: until };
}

/** The query sent for one range: the template with its rate window. */
export function rangeQuery(p: Pick<PulledSeries, 'template'>, stepSeconds: number, settings: PullSettings): string {
  return renderWindowQuery(p.template, stepSeconds === 3600 ? 3600 : Math.max(60, settings.rateWindowSeconds));
}

/** A range query's answer as increases per bucket start: counters sum every series' rate. */
export function counterIncreases(result: QueryResult, stepSeconds: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of matrixOf(result)) {
    for (const p of s.points) {
      if (!Number.isFinite(p.value)) continue;
      const bucket = p.timestamp * 1000 - stepSeconds * 1000;
      out.set(bucket, (out.get(bucket) ?? 0) + Math.max(0, p.value) * stepSeconds);
    }
  }
  return out;
}

/**
 * A `sum by (le)` rate answer as per-bucket (not cumulative) counts per bucket start, the way
 * the SLI store keeps histograms. A series without a numeric `le` is not a classic histogram.
 */
export function histogramIncreases(result: QueryResult, stepSeconds: number): Map<number, Map<number, number>> {
  const cumulative = new Map<number, Map<number, number>>();
  for (const s of matrixOf(result)) {
    const le = parseLe(s.metric.le);
    if (le === null) throw new PrometheusQueryError('bad-response', `a series has no numeric le label (${JSON.stringify(s.metric)}): not a classic histogram`);
    for (const p of s.points) {
      if (!Number.isFinite(p.value)) continue;
      const bucket = p.timestamp * 1000 - stepSeconds * 1000;
      let byLe = cumulative.get(bucket);
      if (!byLe) cumulative.set(bucket, (byLe = new Map()));
      byLe.set(le, (byLe.get(le) ?? 0) + Math.max(0, p.value) * stepSeconds);
    }
  }
  const out = new Map<number, Map<number, number>>();
  for (const [bucket, byLe] of cumulative) {
    if (!byLe.has(Number.POSITIVE_INFINITY)) continue;
    const bounds = [...byLe.keys()].sort((a, b) => a - b);
    const counts = new Map<number, number>();
    let below = 0;
    for (const le of bounds) {
      // Rates of cumulative buckets computed apart can cross by a rounding: never negative.
      const c = Math.max(below, byLe.get(le)!);
      counts.set(le, c - below);
      below = c;
    }
    out.set(bucket, counts);
  }
  return out;
}

function matrixOf(result: QueryResult) {
  if (result.resultType !== 'matrix') throw new PrometheusQueryError('not-vector', `query_range answered a ${result.resultType}, not a matrix`);
  return result.series;
}

const leKey = (le: number) => (le === Number.POSITIVE_INFINITY ? '+Inf' : String(le));

export interface PullWrite {
  counters: CounterSample[];
  histograms: HistogramSample[];
  tail: PullTail;
}

/**
 * What to add to the store for a pulled range, and the tail to keep. Buckets stored before (in
 * the tail) get the difference between Prometheus' value now and the one stored, so re-reading
 * never counts twice; new buckets get their value. Only buckets in [from, until) are stored;
 * the tail keeps the values of those from `nextTailFrom` on, which the next pull reads again.
 */
export function tailDeltas(
  series: string,
  kind: PulledKind,
  values: Map<number, number> | Map<number, Map<number, number>>,
  previous: PullTail,
  range: Pick<PullRange, 'from' | 'until'>,
  nextTailFrom: number,
): PullWrite {
  const counters: CounterSample[] = [];
  const histograms: HistogramSample[] = [];
  // What is stored for the buckets the next pull reads again: as before, unless read anew below.
  const tail: PullTail = {};
  for (const [k, v] of Object.entries(previous)) if (Number(k) >= nextTailFrom) tail[k] = v;
  for (const [at, value] of values) {
    if (at < range.from || at >= range.until) continue;
    const before = previous[String(at)];
    if (kind === 'counter') {
      const v = value as number;
      const delta = v - (typeof before === 'number' ? before : 0);
      if (delta !== 0) counters.push({ series, at: new Date(at), value: delta });
      if (at >= nextTailFrom) tail[String(at)] = v;
    } else {
      const counts = value as Map<number, number>;
      const old = typeof before === 'object' ? before : {};
      const buckets: Array<{ le: number; count: number }> = [];
      // A bound Prometheus no longer answers for keeps what was stored for it.
      const stored: Record<string, number> = { ...old };
      for (const [le, count] of counts) {
        const key = leKey(le);
        const delta = count - (old[key] ?? 0);
        // A zero still marks the bound: a histogram's buckets are known by their bounds.
        if (delta !== 0 || !(key in old)) buckets.push({ le, count: delta });
        stored[key] = count;
      }
      if (buckets.length > 0) histograms.push({ series, at: new Date(at), buckets });
      if (at >= nextTailFrom) tail[String(at)] = stored;
    }
  }
  return { counters, histograms, tail };
}

/** A pulled series' state as the SLOs reading it see it (from the puller's table). */
export interface PullState {
  series: string;
  server: string;
  /** The query template pulled. */
  query?: string;
  backfillFrom: number;
  pulledUntil: number;
  caughtUpAt: number | null;
  lastError: string | null;
}

/** How far behind the present a caught-up series may be before its SLOs read as no-data. */
export const STALE_AFTER_MS = 5 * MINUTE_MS;

/** Share of a backfill done, 0–100 (whole percent, rounded down so 100 means done). */
export function backfillPercent(state: Pick<PullState, 'backfillFrom' | 'pulledUntil'>, now: number): number {
  const span = now - state.backfillFrom;
  if (span <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((100 * (state.pulledUntil - state.backfillFrom)) / span)));
}

/**
 * Why an SLO reading these pulled series has no data yet, or null when its data is current.
 * A Prometheus that fails keeps today's meaning: no-data with the reason, never ok.
 */
export function pullNoDataReason(series: readonly string[], states: ReadonlyMap<string, PullState>, now: number, server: string): string | null {
  for (const name of series) {
    const s = states.get(name);
    if (!s) return `waiting for the first pull from Prometheus server ${server}`;
    const behind = now - s.pulledUntil;
    if (s.lastError !== null) {
      return s.caughtUpAt === null ? `${s.server}: ${s.lastError} (backfilling ${backfillPercent(s, now)}%)` : `${s.server}: ${s.lastError}`;
    }
    if (s.caughtUpAt === null) return `backfilling ${backfillPercent(s, now)}% from Prometheus server ${s.server}`;
    if (behind > STALE_AFTER_MS) return `catching up: Prometheus server ${s.server} pulled until ${new Date(s.pulledUntil).toISOString()}`;
  }
  return null;
}

/** The rate window of a server's minute steps, seconds. */
export function rateWindowOf(server: Pick<PrometheusServer, 'rateWindowSeconds'> | undefined): number {
  return server?.rateWindowSeconds ?? 120;
}
