import { unstorableCharacter } from '../../common/text-sanitizer';
import { hash as digest } from 'node:crypto';
import { bucketBound, MAX_SCALE, MIN_SCALE, type ExponentialHistogram } from '../../slo/exponential-histogram';
import {
  AGGREGATION_TEMPORALITY,
  NO_RECORDED_VALUE,
  type AnyValue,
  type ExponentialHistogramDataPoint,
  type ExportMetricsServiceRequest,
  type HistogramDataPoint,
  type Int64,
  type KeyValue,
  type NumberDataPoint,
} from './otlp-proto';

/**
 * Turns a decoded ExportMetricsServiceRequest into the points Headroom stores, checking each
 * one. Pure: no clock (the caller passes `nowMs`), no database.
 *
 * A *series* is what SLOs read and rollups are keyed by: service.name + metric name + kind + the
 * point's attributes. A *stream* is one exporter's sequence of points for a series (the series
 * plus the whole resource and the instrumentation scope, as in the OpenTelemetry data model):
 * two pods of one service export two streams of the same series, and each stream's cumulative
 * values are turned into increases on their own before they are added up.
 */

export type AttributeValue = string | number | boolean | null;
export type SeriesKind = 'sum' | 'histogram' | 'exponential_histogram';
export type Temporality = 'delta' | 'cumulative';

export type PointData =
  | { kind: 'sum'; value: number }
  | { kind: 'histogram'; bounds: number[]; counts: number[] }
  | { kind: 'exponential_histogram'; histogram: ExponentialHistogram };

export interface OtlpPoint {
  seriesId: string;
  streamId: string;
  service: string;
  metric: string;
  unit: string;
  attributes: Record<string, AttributeValue>;
  temporality: Temporality;
  /** Nanoseconds since the epoch, as a double (exact to ~256 ns, plenty for ordering). 0 when unset. */
  startNs: number;
  timeNs: number;
  data: PointData;
}

export interface Rejection {
  service: string;
  metric: string;
  reason: string;
}

export interface NormalizedRequest {
  points: OtlpPoint[];
  rejected: Rejection[];
  /** Accepted but not stored: gauges, non-monotonic sums, summaries, points flagged as having no value. */
  ignored: number;
}

export interface NormalizeOptions {
  nowMs: number;
  /** Points stamped further ahead than this are refused (a clock far off would fill future minutes). */
  maxFutureMs: number;
}

export const UNKNOWN_SERVICE = 'unknown_service';
const MAX_NAME_LENGTH = 255;

export function int64ToNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Attributes one point may carry: more is a cardinality accident, not a metric. */
export const MAX_ATTRIBUTES_PER_POINT = 128;
/** Explicit bounds of one histogram point, and buckets of one exponential histogram's side (OpenTelemetry's default maximum is 160). */
export const MAX_HISTOGRAM_BOUNDS = 256;
export const MAX_EXPONENTIAL_BUCKETS = 320;
/** Data points one export may hold (413 beyond): a larger batch is split by any exporter. */
export const MAX_POINTS_PER_EXPORT = 50_000;

/** How deep arrays and maps may nest inside one attribute value (OTLP allows any depth; metric attributes are flat). */
export const MAX_ATTRIBUTE_DEPTH = 8;
/** The longest text one attribute value may become (a nested value counts as its JSON). */
export const MAX_ATTRIBUTE_LENGTH = 4096;

/** An attribute Headroom refuses to store: the point it belongs to is rejected, with this reason. */
export class AttributeError extends Error {}

/** A string PostgreSQL can store (text and jsonb refuse NUL) and of a bounded length. */
function storable(text: string, what: string): string {
  const bad = unstorableCharacter(text);
  if (bad) throw new AttributeError(`${what} contains ${bad}`);
  if (text.length > MAX_ATTRIBUTE_LENGTH) throw new AttributeError(`${what} is longer than ${MAX_ATTRIBUTE_LENGTH} characters`);
  return text;
}

/**
 * A nested value as plain data, walked once: JSON is made once at the top (a value that
 * stringified its children at every level grew with each level's escaping, exponentially),
 * and depth and size are bounded on the way.
 */
function plainValue(v: AnyValue | null | undefined, key: string, depth: number, budget: { left: number }): unknown {
  if (!v) return null;
  if (depth > MAX_ATTRIBUTE_DEPTH) throw new AttributeError(`attribute ${key} nests deeper than ${MAX_ATTRIBUTE_DEPTH} levels`);
  if ((budget.left -= 1) < 0) throw new AttributeError(`attribute ${key} is longer than ${MAX_ATTRIBUTE_LENGTH} characters`);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map((x) => plainValue(x, key, depth + 1, budget));
  if (v.kvlistValue) {
    const out: Record<string, unknown> = {};
    for (const kv of sortedByKey(v.kvlistValue.values ?? [])) {
      if (typeof kv.key !== 'string') continue;
      budget.left -= kv.key.length;
      out[storable(kv.key, `attribute ${key}`)] = plainValue(kv.value, key, depth + 1, budget);
    }
    return out;
  }
  const scalar = scalarValue(v, key);
  if (typeof scalar === 'string') budget.left -= scalar.length;
  return scalar;
}

function scalarValue(v: AnyValue, key: string): AttributeValue {
  if (v.stringValue !== null && v.stringValue !== undefined) return storable(v.stringValue, `attribute ${key}`);
  if (v.boolValue !== null && v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== null && v.intValue !== undefined) {
    const n = int64ToNumber(v.intValue);
    return Number.isSafeInteger(n) ? n : v.intValue.toString();
  }
  if (v.doubleValue !== null && v.doubleValue !== undefined) return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
  if (v.bytesValue) return storable(Buffer.from(v.bytesValue).toString('base64'), `attribute ${key}`);
  return null;
}

function anyValue(v: AnyValue | null | undefined, key: string): AttributeValue {
  if (!v) return null;
  // Arrays and maps are kept as their JSON text: comparable, and rare as metric attributes.
  if (v.arrayValue || v.kvlistValue) return storable(JSON.stringify(plainValue(v, key, 1, { left: MAX_ATTRIBUTE_LENGTH })), `attribute ${key}`);
  return scalarValue(v, key);
}

function sortedByKey(kvs: KeyValue[]): KeyValue[] {
  // Exporters usually send keys sorted already; sort a copy only when they are not.
  let sorted = true;
  for (let i = 1; i < kvs.length && sorted; i++) sorted = (kvs[i - 1].key ?? '') < (kvs[i].key ?? '');
  return sorted ? kvs : [...kvs].sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
}

/**
 * Attributes as a plain object with keys in sorted order (so equal sets serialize equally).
 * Throws AttributeError for an attribute that cannot be stored (NUL, too long, nested too deep).
 */
export function attributesOf(kvs: KeyValue[] | null | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  if (!kvs || kvs.length === 0) return out;
  if (kvs.length > MAX_ATTRIBUTES_PER_POINT) throw new AttributeError(`has ${kvs.length} attributes; at most ${MAX_ATTRIBUTES_PER_POINT} are taken`);
  for (const kv of sortedByKey(kvs)) if (typeof kv.key === 'string') out[storable(kv.key, 'an attribute name')] = anyValue(kv.value, kv.key);
  return out;
}

const hash = (text: string, hexChars: number) => digest('sha256', text, 'hex').slice(0, hexChars);

/** Stable id of a series: readable prefix, hash of the full identity (attribute sets can be long). */
export function seriesIdOf(service: string, metric: string, kind: SeriesKind, attributes: Record<string, AttributeValue>): string {
  return `otlp/${service}/${metric}/${hash(`${kind}\u0000${service}\u0000${metric}\u0000${JSON.stringify(attributes)}`, 20)}`;
}

// Every point needs its series, and the same few thousand series come back in every export:
// remembering them by a cheap key of the raw attributes saves building the attribute object,
// its JSON and a hash per point. Bounded, so a cardinality explosion cannot grow it without end.
const knownSeries = new Map<string, { seriesId: string; attributes: Record<string, AttributeValue> }>();
const MAX_REMEMBERED_SERIES = 100_000;

/** A key that differs whenever the attribute list differs (types included); order-sensitive. */
function rawAttributeKey(kvs: KeyValue[] | null | undefined): string {
  let key = '';
  for (const kv of kvs ?? []) {
    const v = kv.value;
    key += `${kv.key}\u0001`;
    if (v?.stringValue !== null && v?.stringValue !== undefined) key += `s${v.stringValue}`;
    else if (v?.intValue !== null && v?.intValue !== undefined) key += `i${String(v.intValue)}`;
    else if (v?.doubleValue !== null && v?.doubleValue !== undefined) key += `d${v.doubleValue}`;
    else if (v?.boolValue !== null && v?.boolValue !== undefined) key += `b${v.boolValue}`;
    else key += `j${JSON.stringify(anyValue(v, kv.key ?? ""))}`;
    key += '\u0002';
  }
  return key;
}

function seriesOf(service: string, metric: string, kind: SeriesKind, kvs: KeyValue[] | null | undefined): { seriesId: string; attributes: Record<string, AttributeValue> } {
  const key = `${kind}\u0000${service}\u0000${metric}\u0000${rawAttributeKey(kvs)}`;
  let found = knownSeries.get(key);
  if (!found) {
    const attributes = attributesOf(kvs);
    found = { seriesId: seriesIdOf(service, metric, kind, attributes), attributes };
    if (knownSeries.size >= MAX_REMEMBERED_SERIES) knownSeries.clear();
    knownSeries.set(key, found);
  }
  return found;
}

const finiteReason = (what: string, v: number) => (Number.isNaN(v) ? `${what} is NaN` : `${what} is ${v > 0 ? '+' : '-'}Inf`);

/** Counts as numbers (the decoded array itself when it holds numbers already: no copy per point). */
function countsOf(values: Int64[] | null | undefined): number[] {
  if (!values || values.length === 0) return [];
  return values.every((v) => typeof v === 'number') ? (values as number[]) : values.map(int64ToNumber);
}

function checkCounts(counts: readonly number[], what: string): string | null {
  for (const c of counts) {
    if (!Number.isFinite(c)) return finiteReason(what, c);
    if (c < 0) return `${what} cannot be negative (${c})`;
  }
  return null;
}

const sum = (values: readonly number[]) => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

function checkExponentialRange(scale: number, offset: number, length: number, what: string): string | null {
  if (length === 0) return null;
  if (!(bucketBound(scale, offset) > 0) || !Number.isFinite(bucketBound(scale, offset + length))) {
    return `${what} buckets ${offset}…${offset + length - 1} fall outside the double range at scale ${scale}`;
  }
  return null;
}

interface PointContext {
  service: string;
  metric: string;
  unit: string;
  /** Hash of the resource's attributes and the instrumentation scope. */
  resourceKey: string;
  opts: NormalizeOptions;
}

type Checked = { point: OtlpPoint } | { reason: string } | { ignored: true };

function timesOf(
  p: { startTimeUnixNano?: Int64 | null; timeUnixNano?: Int64 | null },
  opts: NormalizeOptions,
): { startNs: number; timeNs: number } | { reason: string } {
  const timeNs = int64ToNumber(p.timeUnixNano);
  const startNs = int64ToNumber(p.startTimeUnixNano);
  if (!(timeNs > 0)) return { reason: 'time_unix_nano is missing' };
  if (startNs < 0) return { reason: 'start_time_unix_nano is negative' };
  if (startNs > timeNs) return { reason: 'start_time_unix_nano is after time_unix_nano' };
  if (timeNs / 1e6 > opts.nowMs + opts.maxFutureMs) return { reason: `time_unix_nano is ${Math.round((timeNs / 1e6 - opts.nowMs) / 1000)} s in the future` };
  return { startNs, timeNs };
}

function point(ctx: PointContext, kind: SeriesKind, temporality: Temporality, kvs: KeyValue[] | null | undefined, times: { startNs: number; timeNs: number }, data: PointData): OtlpPoint {
  // Shared between points of one series: never mutated.
  const { seriesId, attributes } = seriesOf(ctx.service, ctx.metric, kind, kvs);
  return {
    seriesId,
    // The series id's hash plus the resource's: unique per stream without hashing every point.
    streamId: `${seriesId.slice(seriesId.lastIndexOf('/') + 1)}.${ctx.resourceKey}`,
    service: ctx.service,
    metric: ctx.metric,
    unit: ctx.unit,
    attributes,
    temporality,
    startNs: times.startNs,
    timeNs: times.timeNs,
    data,
  };
}

function sumPoint(ctx: PointContext, temporality: Temporality, p: NumberDataPoint): Checked {
  if ((p.flags ?? 0) & NO_RECORDED_VALUE) return { ignored: true };
  const times = timesOf(p, ctx.opts);
  if ('reason' in times) return times;
  let value: number;
  if (p.asInt !== null && p.asInt !== undefined) value = int64ToNumber(p.asInt);
  else if (p.asDouble !== null && p.asDouble !== undefined) value = p.asDouble;
  else return { reason: 'the point has no value (as_int or as_double)' };
  if (!Number.isFinite(value)) return { reason: finiteReason('value', value) };
  if (value < 0) return { reason: `a monotonic sum cannot be negative (${value})` };
  return { point: point(ctx, 'sum', temporality, p.attributes, times, { kind: 'sum', value }) };
}

/**
 * The explicit bounds of the last histogram point that had valid ones. A point with equal bounds
 * (nearly every point of an instrument, across requests) gets this very array, already checked:
 * the stream writer then turns a bounds array into JSON once, however many stream states hold it
 * (stream-state-json.ts). Bounds arrays are never mutated.
 */
let sharedBounds: number[] = [];

/** Equal explicit bounds (the same array, or the same numbers). */
export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The point's bounds (the shared array when equal to it), or why they are invalid. */
function checkedBounds(bounds: number[]): number[] | { reason: string } {
  if (bounds.length > 0 && sameBounds(bounds, sharedBounds)) return sharedBounds;
  for (let i = 0; i < bounds.length; i++) {
    if (!Number.isFinite(bounds[i])) return { reason: finiteReason(`explicit_bounds[${i}]`, bounds[i]) };
    if (i > 0 && !(bounds[i] > bounds[i - 1])) return { reason: `explicit_bounds must increase (${bounds[i - 1]} then ${bounds[i]})` };
  }
  if (bounds.length > 0) sharedBounds = bounds;
  return bounds;
}

function histogramPoint(ctx: PointContext, temporality: Temporality, p: HistogramDataPoint): Checked {
  if ((p.flags ?? 0) & NO_RECORDED_VALUE) return { ignored: true };
  const times = timesOf(p, ctx.opts);
  if ('reason' in times) return times;
  if ((p.explicitBounds?.length ?? 0) > MAX_HISTOGRAM_BOUNDS) return { reason: `${p.explicitBounds!.length} explicit_bounds; at most ${MAX_HISTOGRAM_BOUNDS} are taken` };
  const counts = countsOf(p.bucketCounts);
  const count = int64ToNumber(p.count);
  if (p.sum !== null && p.sum !== undefined && !Number.isFinite(p.sum)) return { reason: finiteReason('sum', p.sum) };
  const bounds = checkedBounds(p.explicitBounds ?? []);
  if (!Array.isArray(bounds)) return bounds;
  const bad = checkCounts(counts, 'a count') ?? checkCounts([count], 'count');
  if (bad) return { reason: bad };
  // No buckets at all is legal OTLP (count and sum only), but there is no distribution to store.
  if (counts.length === 0) return bounds.length === 0 ? { ignored: true } : { reason: `no bucket_counts for ${bounds.length} explicit_bounds` };
  if (counts.length !== bounds.length + 1) {
    return { reason: `${counts.length} bucket_counts do not match ${bounds.length} explicit_bounds (need ${bounds.length + 1})` };
  }
  const total = sum(counts);
  if (total !== count) return { reason: `bucket_counts add up to ${total} but count is ${count}` };
  return { point: point(ctx, 'histogram', temporality, p.attributes, times, { kind: 'histogram', bounds, counts }) };
}

function exponentialPoint(ctx: PointContext, temporality: Temporality, p: ExponentialHistogramDataPoint): Checked {
  if ((p.flags ?? 0) & NO_RECORDED_VALUE) return { ignored: true };
  const times = timesOf(p, ctx.opts);
  if ('reason' in times) return times;
  const scale = p.scale ?? 0;
  if (!Number.isInteger(scale) || scale < MIN_SCALE || scale > MAX_SCALE) return { reason: `scale ${scale} is outside ${MIN_SCALE}…${MAX_SCALE}` };
  if (p.sum !== null && p.sum !== undefined && !Number.isFinite(p.sum)) return { reason: finiteReason('sum', p.sum) };
  const zeroThreshold = p.zeroThreshold ?? 0;
  if (!Number.isFinite(zeroThreshold)) return { reason: finiteReason('zero_threshold', zeroThreshold) };
  if (zeroThreshold < 0) return { reason: `zero_threshold cannot be negative (${zeroThreshold})` };
  const widest = Math.max(p.positive?.bucketCounts?.length ?? 0, p.negative?.bucketCounts?.length ?? 0);
  if (widest > MAX_EXPONENTIAL_BUCKETS) return { reason: `${widest} buckets on one side; at most ${MAX_EXPONENTIAL_BUCKETS} are taken` };
  const positive = { offset: p.positive?.offset ?? 0, counts: countsOf(p.positive?.bucketCounts) };
  const negative = { offset: p.negative?.offset ?? 0, counts: countsOf(p.negative?.bucketCounts) };
  const zeroCount = int64ToNumber(p.zeroCount);
  const count = int64ToNumber(p.count);
  const bad =
    checkCounts([...positive.counts, ...negative.counts, zeroCount, count], 'a count') ??
    checkExponentialRange(scale, positive.offset, positive.counts.length, 'positive') ??
    checkExponentialRange(scale, negative.offset, negative.counts.length, 'negative');
  if (bad) return { reason: bad };
  const total = zeroCount + sum(positive.counts) + sum(negative.counts);
  if (total !== count) return { reason: `zero_count and bucket counts add up to ${total} but count is ${count}` };
  const histogram: ExponentialHistogram = { scale, zeroCount, zeroThreshold, positive, negative };
  return { point: point(ctx, 'exponential_histogram', temporality, p.attributes, times, { kind: 'exponential_histogram', histogram }) };
}

function temporalityOf(v: number | null | undefined): Temporality | null {
  if (v === AGGREGATION_TEMPORALITY.delta) return 'delta';
  if (v === AGGREGATION_TEMPORALITY.cumulative) return 'cumulative';
  return null;
}

/** Thrown for an export Headroom refuses whole (413): more data points than MAX_POINTS_PER_EXPORT. */
export class ExportTooLargeError extends Error {}

export function normalizeRequest(req: ExportMetricsServiceRequest, opts: NormalizeOptions): NormalizedRequest {
  const out: NormalizedRequest = { points: [], rejected: [], ignored: 0 };
  let total = 0;
  for (const rm of req.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) total += pointCount(m);
  if (total > MAX_POINTS_PER_EXPORT) throw new ExportTooLargeError(`the export holds ${total} data points; at most ${MAX_POINTS_PER_EXPORT} are taken in one request (send smaller batches)`);
  for (const rm of req.resourceMetrics ?? []) {
    let resource: Record<string, AttributeValue>;
    try {
      resource = attributesOf(rm.resource?.attributes);
    } catch (err) {
      if (!(err instanceof AttributeError)) throw err;
      for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) for (let i = 0; i < pointCount(m); i++) out.rejected.push({ service: UNKNOWN_SERVICE, metric: m.name ?? '', reason: `resource ${err.message}` });
      continue;
    }
    const serviceAttr = resource['service.name'];
    const service = typeof serviceAttr === 'string' && serviceAttr.length > 0 ? serviceAttr : UNKNOWN_SERVICE;
    const resourceJson = JSON.stringify(resource);
    for (const sm of rm.scopeMetrics ?? []) {
      const resourceKey = hash(`${resourceJson}\u0000${sm.scope?.name ?? ''}\u0000${sm.scope?.version ?? ''}`, 20);
      for (const m of sm.metrics ?? []) {
        const metric = m.name ?? '';
        const ctx: PointContext = { service, metric, unit: m.unit ?? '', resourceKey, opts };
        const take = (check: () => Checked) => {
          let c: Checked;
          try {
            c = check();
          } catch (err) {
            // One attribute Headroom cannot store rejects its point, not the batch.
            if (!(err instanceof AttributeError)) throw err;
            c = { reason: err.message };
          }
          if ('point' in c) out.points.push(c.point);
          else if ('reason' in c) out.rejected.push({ service, metric, reason: c.reason });
          else out.ignored++;
        };
        const rejectAll = (n: number, reason: string) => {
          for (let i = 0; i < n; i++) out.rejected.push({ service, metric, reason });
        };
        const n = pointCount(m);
        if (!metric) {
          rejectAll(n, 'the metric has no name');
          continue;
        }
        if (metric.length > MAX_NAME_LENGTH || service.length > MAX_NAME_LENGTH) {
          rejectAll(n, `service.name and metric name must be at most ${MAX_NAME_LENGTH} characters`);
          continue;
        }
        const badName = unstorableCharacter(metric);
        if (badName) {
          rejectAll(n, `the metric name contains ${badName}`);
          continue;
        }
        if (m.sum) {
          const points = m.sum.dataPoints ?? [];
          // Only monotonic sums are counters; an up-down sum is a gauge in disguise.
          if (!m.sum.isMonotonic) out.ignored += points.length;
          else {
            const temporality = temporalityOf(m.sum.aggregationTemporality);
            if (!temporality) rejectAll(points.length, 'aggregation_temporality is unspecified');
            else for (const p of points) take(() => sumPoint(ctx, temporality, p));
          }
        } else if (m.histogram) {
          const points = m.histogram.dataPoints ?? [];
          const temporality = temporalityOf(m.histogram.aggregationTemporality);
          if (!temporality) rejectAll(points.length, 'aggregation_temporality is unspecified');
          else for (const p of points) take(() => histogramPoint(ctx, temporality, p));
        } else if (m.exponentialHistogram) {
          const points = m.exponentialHistogram.dataPoints ?? [];
          const temporality = temporalityOf(m.exponentialHistogram.aggregationTemporality);
          if (!temporality) rejectAll(points.length, 'aggregation_temporality is unspecified');
          else for (const p of points) take(() => exponentialPoint(ctx, temporality, p));
        } else {
          out.ignored += n;
        }
      }
    }
  }
  return out;
}

function pointCount(m: { sum?: { dataPoints?: unknown[] | null } | null; histogram?: { dataPoints?: unknown[] | null } | null; exponentialHistogram?: { dataPoints?: unknown[] | null } | null; gauge?: { dataPoints?: unknown[] | null } | null; summary?: { dataPoints?: unknown[] | null } | null }): number {
  return (m.sum?.dataPoints ?? m.histogram?.dataPoints ?? m.exponentialHistogram?.dataPoints ?? m.gauge?.dataPoints ?? m.summary?.dataPoints ?? []).length;
}

/** A short account of the rejections for partial_success.error_message and 400 answers. */
export function describeRejections(rejected: Rejection[], max = 5): string {
  if (rejected.length === 0) return '';
  const groups = new Map<string, number>();
  for (const r of rejected) {
    const key = `${r.service} ${r.metric || '(no name)'}: ${r.reason}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const lines = [...groups.entries()].slice(0, max).map(([k, n]) => (n > 1 ? `${k} (${n} points)` : k));
  const more = groups.size > max ? `; and ${groups.size - max} more kinds of error` : '';
  return `${rejected.length} data point${rejected.length === 1 ? '' : 's'} rejected: ${lines.join('; ')}${more}`;
}
