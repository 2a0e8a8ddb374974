import { describeRejections, ExportTooLargeError, normalizeRequest, seriesIdOf, UNKNOWN_SERVICE, type NormalizeOptions, type OtlpPoint } from './otlp-points';
import type { ExportMetricsServiceRequest, KeyValue, Metric } from './otlp-proto';

const NOW_MS = Date.parse('2026-11-25T12:00:00Z');
const T = NOW_MS * 1e6;
const START = T - 10e9;
const opts: NormalizeOptions = { nowMs: NOW_MS, maxFutureMs: 600_000 };
const kv = (key: string, value: string | number | boolean): KeyValue => ({
  key,
  value: typeof value === 'string' ? { stringValue: value } : typeof value === 'boolean' ? { boolValue: value } : Number.isInteger(value) ? { intValue: value } : { doubleValue: value },
});
const request = (metrics: Metric[], resource: KeyValue[] = [kv('service.name', 'checkout'), kv('service.instance.id', 'pod-1')]): ExportMetricsServiceRequest => ({
  resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 'app', version: '1' }, metrics }] }],
});
const counter = (points: Array<{ value: number; attrs?: KeyValue[]; time?: number; start?: number; asInt?: boolean }>, temporality = 2): Metric => ({
  name: 'http.server.requests',
  sum: {
    isMonotonic: true,
    aggregationTemporality: temporality,
    dataPoints: points.map((p) => ({
      attributes: p.attrs ?? [],
      startTimeUnixNano: p.start ?? START,
      timeUnixNano: p.time ?? T,
      ...(p.asInt ? { asInt: p.value } : { asDouble: p.value }),
    })),
  },
});

describe('normalizeRequest', () => {
  it('keys a series by service, metric, kind and sorted point attributes; a stream also by resource', () => {
    const out = normalizeRequest(
      request([counter([{ value: 5, asInt: true, attrs: [kv('route', '/a'), kv('code', 200)] }, { value: 1, attrs: [kv('code', 200), kv('route', '/a')] }])]),
      opts,
    );
    expect(out.rejected).toEqual([]);
    expect(out.points).toHaveLength(2);
    const [a, b] = out.points;
    expect(a.seriesId).toBe(b.seriesId);
    expect(a.seriesId).toBe(seriesIdOf('checkout', 'http.server.requests', 'sum', { code: 200, route: '/a' }));
    expect(a.seriesId.startsWith('otlp/checkout/http.server.requests/')).toBe(true);
    expect(Object.keys(a.attributes)).toEqual(['code', 'route']);
    expect(a).toMatchObject({ service: 'checkout', temporality: 'cumulative', startNs: START, timeNs: T, data: { kind: 'sum', value: 5 } });

    const other = normalizeRequest(request([counter([{ value: 5, attrs: [kv('route', '/a'), kv('code', 200)] }])], [kv('service.name', 'checkout'), kv('service.instance.id', 'pod-2')]), opts);
    expect(other.points[0].seriesId).toBe(a.seriesId);
    expect(other.points[0].streamId).not.toBe(a.streamId);
  });

  it('falls back to unknown_service without service.name', () => {
    expect(normalizeRequest(request([counter([{ value: 1 }])], []), opts).points[0].service).toBe(UNKNOWN_SERVICE);
  });

  it('rejects NaN, infinite and negative values, missing or future times, and unspecified temporality', () => {
    const out = normalizeRequest(
      request([
        counter([{ value: NaN }, { value: Infinity }, { value: -3 }, { value: 1, time: 0 }, { value: 1, time: T + 3600e9 }, { value: 1, start: T + 1e9 }]),
        counter([{ value: 1 }], 0),
      ]),
      opts,
    );
    expect(out.points).toEqual([]);
    expect(out.rejected.map((r) => r.reason)).toEqual([
      'value is NaN',
      'value is +Inf',
      'a monotonic sum cannot be negative (-3)',
      'time_unix_nano is missing',
      'time_unix_nano is 3600 s in the future',
      'start_time_unix_nano is after time_unix_nano',
      'aggregation_temporality is unspecified',
    ]);
    expect(describeRejections(out.rejected)).toMatch(/^7 data points rejected: checkout http.server.requests: value is NaN; /);
  });

  it('accepts but does not store gauges, up-down sums, summaries and no-value points', () => {
    const out = normalizeRequest(
      request([
        { name: 'temp', gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 1 }] } },
        { name: 'queue', sum: { isMonotonic: false, aggregationTemporality: 2, dataPoints: [{ timeUnixNano: T, asDouble: -1 }] } },
        { name: 'lat', summary: { dataPoints: [{}] } },
        { name: 'c', sum: { isMonotonic: true, aggregationTemporality: 2, dataPoints: [{ timeUnixNano: T, flags: 1 }] } },
      ]),
      opts,
    );
    expect(out).toEqual({ points: [], rejected: [], ignored: 4 });
  });

  it('checks explicit histograms: bounds, bucket count, sum of buckets, NaN sum', () => {
    const h = (bounds: number[], counts: number[], count: number, sum = 1) => ({ startTimeUnixNano: START, timeUnixNano: T, explicitBounds: bounds, bucketCounts: counts, count, sum });
    const out = normalizeRequest(
      request([
        {
          name: 'latency',
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [h([0.1, 0.5], [1, 2, 3], 6), h([0.1, 0.5], [1, 2], 3), h([0.5, 0.1], [1, 2, 3], 6), h([0.1, 0.5], [1, 2, 3], 7), h([0.1], [1, -1], 0), h([0.1], [1, 1], 2, NaN), h([0.1, NaN], [1, 1, 1], 3)],
          },
        },
      ]),
      opts,
    );
    expect(out.points).toHaveLength(1);
    expect(out.points[0]).toMatchObject({ temporality: 'delta', data: { kind: 'histogram', bounds: [0.1, 0.5], counts: [1, 2, 3] } });
    expect(out.rejected.map((r) => r.reason)).toEqual([
      '2 bucket_counts do not match 2 explicit_bounds (need 3)',
      'explicit_bounds must increase (0.5 then 0.1)',
      'bucket_counts add up to 6 but count is 7',
      'a count cannot be negative (-1)',
      'sum is NaN',
      'explicit_bounds[1] is NaN',
    ]);
  });

  it('hands points with equal explicit bounds one array, across requests, and still checks bounds that differ', () => {
    const h = (bounds: number[]) => ({ startTimeUnixNano: START, timeUnixNano: T, explicitBounds: bounds, bucketCounts: bounds.map(() => 1).concat(1), count: bounds.length + 1, sum: 1 });
    const latency = (...bounds: number[][]): Metric => ({ name: 'latency', histogram: { aggregationTemporality: 2, dataPoints: bounds.map(h) } });
    const first = normalizeRequest(request([latency([0.1, 0.5], [0.1, 0.5])]), opts).points;
    const second = normalizeRequest(request([latency([0.1, 0.5], [0.5, 0.1], [0.1, 0.25])]), opts);
    const bounds = (p: OtlpPoint) => (p.data.kind === 'histogram' ? p.data.bounds : null);
    expect(bounds(first[0])).toBe(bounds(first[1]));
    expect(bounds(second.points[0])).toBe(bounds(first[0]));
    expect(second.rejected.map((r) => r.reason)).toEqual(['explicit_bounds must increase (0.5 then 0.1)']);
    expect(bounds(second.points[1])).toEqual([0.1, 0.25]);
    expect(bounds(second.points[1])).not.toBe(bounds(first[0]));
  });

  it('checks exponential histograms: scale, counts adding up, zero threshold', () => {
    const e = (over: Record<string, unknown>) => ({ startTimeUnixNano: START, timeUnixNano: T, scale: 3, count: 6, zeroCount: 1, positive: { offset: -2, bucketCounts: [2, 0, 1] }, negative: { offset: 0, bucketCounts: [2] }, ...over });
    const out = normalizeRequest(
      request([{ name: 'latency', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [e({}), e({ scale: 21 }), e({ count: 5 }), e({ zeroThreshold: -1 }), e({ positive: { offset: 2 ** 30, bucketCounts: [5] }, negative: {}, count: 6 })] } }]),
      opts,
    );
    expect(out.points).toHaveLength(1);
    expect(out.points[0].data).toEqual({
      kind: 'exponential_histogram',
      histogram: { scale: 3, zeroCount: 1, zeroThreshold: 0, positive: { offset: -2, counts: [2, 0, 1] }, negative: { offset: 0, counts: [2] } },
    });
    expect(out.rejected.map((r) => r.reason)).toEqual([
      'scale 21 is outside -10…20',
      'zero_count and bucket counts add up to 6 but count is 5',
      'zero_threshold cannot be negative (-1)',
      'positive buckets 1073741824…1073741824 fall outside the double range at scale 3',
    ]);
  });

  describe('hostile attributes', () => {
    const nested = (depth: number, leaf: string): KeyValue['value'] =>
      depth === 0 ? { stringValue: leaf } : { kvlistValue: { values: [{ key: 'k"', value: nested(depth - 1, leaf) }] } };

    it('keeps a nested value as its JSON, made once (quotes escaped once, not once per level)', () => {
      const out = normalizeRequest(request([counter([{ value: 1, attrs: [{ key: 'labels', value: nested(3, 'a"b') }, { key: 'list', value: { arrayValue: { values: [{ intValue: 1 }, { stringValue: 'x' }] } } }] }])]), opts);
      expect(out.rejected).toEqual([]);
      expect(JSON.parse(String(out.points[0].attributes.labels))).toEqual({ 'k"': { 'k"': { 'k"': 'a"b' } } });
      expect(out.points[0].attributes.list).toBe('[1,"x"]');
    });

    it('rejects a point whose attribute nests too deep, at once (27 levels took 8.5 s and a gigabyte before)', () => {
      const started = process.hrtime.bigint();
      const out = normalizeRequest(request([counter([{ value: 1, attrs: [{ key: 'deep', value: nested(27, 'x') }] }, { value: 2 }])]), opts);
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
      expect(out.points).toHaveLength(1);
      expect(out.rejected).toEqual([{ service: 'checkout', metric: 'http.server.requests', reason: 'attribute deep nests deeper than 8 levels' }]);
    });

    it('rejects only the point with a NUL character or an over-long value; the rest of the batch is kept', () => {
      const out = normalizeRequest(request([counter([{ value: 1, attrs: [kv('route', 'a\u0000b')] }, { value: 2, attrs: [kv('route', 'x'.repeat(5000))] }, { value: 3, attrs: [kv('route', '/ok')] }])]), opts);
      expect(out.points.map((p) => p.attributes.route)).toEqual(['/ok']);
      expect(out.rejected.map((r) => r.reason)).toEqual(['attribute route contains a NUL character', 'attribute route is longer than 4096 characters']);
      // Found by the fuzzer: an unpaired surrogate in a key made the batch's write fail (a 503).
      const surrogate = normalizeRequest(request([counter([{ value: 1, attrs: [kv('\udfffx', 'v')] }, { value: 2 }])]), opts);
      expect(surrogate.points).toHaveLength(1);
      expect(surrogate.rejected[0].reason).toBe('an attribute name contains an unpaired UTF-16 surrogate (not valid Unicode)');
    });

    it('rejects every point of a resource whose attributes cannot be stored', () => {
      const out = normalizeRequest(request([counter([{ value: 1 }, { value: 2 }])], [kv('service.name', 'check\u0000out')]), opts);
      expect(out.points).toEqual([]);
      expect(out.rejected).toHaveLength(2);
      expect(out.rejected[0].reason).toBe('resource attribute service.name contains a NUL character');
    });
  });

  describe('cardinality caps', () => {
    it('rejects a point with more than 128 attributes, or a histogram with more than 256 bounds, and keeps the rest', () => {
      const many = Array.from({ length: 129 }, (_, k) => kv(`a${String(k).padStart(3, '0')}`, 'x'));
      const histogram: Metric = {
        name: 'latency',
        histogram: {
          aggregationTemporality: 2,
          dataPoints: [{ startTimeUnixNano: START, timeUnixNano: T, explicitBounds: Array.from({ length: 257 }, (_, k) => k + 1), bucketCounts: Array.from({ length: 258 }, () => 0), count: 0 }],
        },
      };
      const out = normalizeRequest(request([counter([{ value: 1, attrs: many }, { value: 2 }]), histogram]), opts);
      expect(out.points).toHaveLength(1);
      expect(out.rejected.map((r) => r.reason)).toEqual(['has 129 attributes; at most 128 are taken', '257 explicit_bounds; at most 256 are taken']);
    });

    it('refuses an export of more than 50,000 data points whole (the endpoint answers 413 with this)', () => {
      const points = Array.from({ length: 50_001 }, () => ({ value: 1 }));
      expect(() => normalizeRequest(request([counter(points)]), opts)).toThrow(new ExportTooLargeError('the export holds 50001 data points; at most 50000 are taken in one request (send smaller batches)'));
    });
  });
});
