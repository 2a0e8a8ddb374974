import { z } from 'zod';

/**
 * The Prometheus HTTP API (v1) answer to an instant or range query, parsed and classified.
 * Pure: the HTTP client hands in the status code and the body text. Every failure is a
 * PrometheusQueryError whose `kind` says what went wrong, so an SLO in no-data can show why.
 */

export type PromLabels = Record<string, string>;

export interface InstantSample {
  metric: PromLabels;
  /** Unix seconds. */
  timestamp: number;
  value: number;
}

export interface RangeSeries {
  metric: PromLabels;
  points: Array<{ timestamp: number; value: number }>;
}

export type QueryResult =
  | { resultType: 'vector'; samples: InstantSample[] }
  | { resultType: 'matrix'; series: RangeSeries[] }
  | { resultType: 'scalar'; timestamp: number; value: number }
  | { resultType: 'string'; timestamp: number; value: string };

export type PrometheusErrorKind =
  /** No answer within the server's timeout. */
  | 'timeout'
  /** Connection refused, DNS, reset: the request did not get an HTTP answer. */
  | 'network'
  /** An HTTP error without Prometheus' error envelope (a proxy's 502, a 401 from auth). */
  | 'http'
  /** Prometheus' own `{status:"error", errorType, error}` (bad_data, execution, timeout…). */
  | 'api'
  /** A 2xx answer that is not the API's JSON shape. */
  | 'bad-response'
  /** A bearer token or password file that cannot be read. */
  | 'credentials'
  /** A query whose result is not an instant vector where one is needed. */
  | 'not-vector'
  /** An empty vector: no series matched, which is no data, never zero. */
  | 'no-data'
  /** A NaN sample (e.g. 0/0), which cannot be counted. */
  | 'nan';

export class PrometheusQueryError extends Error {
  constructor(
    readonly kind: PrometheusErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

// Sample values travel as strings so that NaN and ±Inf survive JSON, spelled the Go way.
const sampleValue = z.string();
const samplePair = z.tuple([z.number(), sampleValue]);
const labels = z.record(z.string(), z.string());

const envelope = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

const vectorData = z.object({
  resultType: z.literal('vector'),
  result: z.array(
    z.object({
      metric: labels,
      value: samplePair.optional(),
      /** Native histograms; not used by Headroom's queries. */
      histogram: z.unknown().optional(),
    }),
  ),
});
const matrixData = z.object({
  resultType: z.literal('matrix'),
  result: z.array(z.object({ metric: labels, values: z.array(samplePair).optional(), histograms: z.unknown().optional() })),
});
const scalarData = z.object({ resultType: z.literal('scalar'), result: samplePair });
const stringData = z.object({ resultType: z.literal('string'), result: samplePair });
const data = z.discriminatedUnion('resultType', [vectorData, matrixData, scalarData, stringData]);

/** Parses a sample value string: "1.5", "NaN", "+Inf", "-Inf" (Number() alone rejects "+Inf"). */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const n = text.trim() === '' ? Number.NaN : Number(text);
  if (Number.isNaN(n)) throw new PrometheusQueryError('bad-response', `sample value ${JSON.stringify(text)} is not a number`);
  return n;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * Turns an HTTP status and body into a result, or throws a classified error. Prometheus sends
 * its error envelope with 400 (bad_data), 422 (execution), 503 (timeout, unavailable); a proxy
 * in front of it may send anything, so a non-JSON error body is reported by status and excerpt.
 */
export function parseQueryResponse(httpStatus: number, body: string): QueryResult {
  const ok = httpStatus >= 200 && httpStatus < 300;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    if (!ok) throw new PrometheusQueryError('http', `HTTP ${httpStatus}${body.trim() ? `: ${excerpt(body)}` : ''}`);
    throw new PrometheusQueryError('bad-response', `answer is not JSON: ${excerpt(body)}`);
  }
  const env = envelope.safeParse(json);
  if (!env.success) {
    if (!ok) throw new PrometheusQueryError('http', `HTTP ${httpStatus}: ${excerpt(body)}`);
    throw new PrometheusQueryError('bad-response', `answer is not a Prometheus API response: ${excerpt(body)}`);
  }
  if (env.data.status === 'error') {
    const type = env.data.errorType ? `${env.data.errorType}: ` : '';
    throw new PrometheusQueryError('api', `${type}${env.data.error ?? 'unknown error'} (HTTP ${httpStatus})`);
  }
  if (!ok) throw new PrometheusQueryError('http', `HTTP ${httpStatus}: ${excerpt(body)}`);
  const parsed = data.safeParse(env.data.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PrometheusQueryError('bad-response', `unexpected data at ${['data', ...issue.path].join('.')}: ${issue.message}`);
  }
  const d = parsed.data;
  switch (d.resultType) {
    case 'vector':
      return {
        resultType: 'vector',
        samples: d.result.map((s) => {
          if (!s.value) throw new PrometheusQueryError('bad-response', 'a sample is a native histogram; use the classic _bucket series');
          return { metric: s.metric, timestamp: s.value[0], value: parseSampleValue(s.value[1]) };
        }),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        series: d.result.map((s) => ({
          metric: s.metric,
          points: (s.values ?? []).map(([timestamp, v]) => ({ timestamp, value: parseSampleValue(v) })),
        })),
      };
    case 'scalar':
      return { resultType: 'scalar', timestamp: d.result[0], value: parseSampleValue(d.result[1]) };
    case 'string':
      return { resultType: 'string', timestamp: d.result[0], value: d.result[1] };
  }
}

/** The samples of an instant-vector result; anything else is a `not-vector` error. */
export function expectVector(result: QueryResult): InstantSample[] {
  if (result.resultType !== 'vector') {
    throw new PrometheusQueryError('not-vector', `expected an instant vector, got a ${result.resultType}`);
  }
  return result.samples;
}

/**
 * One number from an instant vector: the sum of its samples (a query without sum() that
 * returns one series per label set still counts every event). Empty is no data, NaN is an
 * error: neither may read as zero, which would look healthy.
 */
export function sumVector(samples: readonly InstantSample[]): number {
  if (samples.length === 0) throw new PrometheusQueryError('no-data', 'no series matched (empty vector)');
  let sum = 0;
  for (const s of samples) {
    if (Number.isNaN(s.value)) throw new PrometheusQueryError('nan', 'the query returned NaN');
    sum += s.value;
  }
  return sum;
}
