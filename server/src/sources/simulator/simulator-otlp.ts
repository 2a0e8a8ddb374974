import type { TotalsSnapshot } from './simulator-totals';

/**
 * The simulated services' metrics as an OTLP/HTTP JSON ExportMetricsServiceRequest (the proto3
 * JSON mapping: lowerCamelCase keys, 64-bit integers as strings, enums as numbers), what an
 * OpenTelemetry SDK with cumulative temporality would push for the four services: one resource
 * per service (service.name), a monotonic sum `http.server.requests` per status code and an
 * explicit-bucket histogram `http.server.request.duration` in seconds.
 *
 * Built by hand rather than with the OpenTelemetry metrics SDK for the same reason as the
 * exposition: the SDK records one measurement at a time, the model hands out bucket counts.
 */

export const OTLP_REQUESTS_METRIC = 'http.server.requests';
export const OTLP_DURATION_METRIC = 'http.server.request.duration';
export const OTLP_SCOPE = 'headroom-simulator';

// opentelemetry.proto.metrics.v1.AggregationTemporality: the totals since start_time.
const CUMULATIVE = 2;

const nanos = (at: Date) => (BigInt(at.getTime()) * 1_000_000n).toString();
const int = (v: number) => String(Math.round(v));

export function simulatorOtlpRequest(snapshot: TotalsSnapshot): Record<string, unknown> {
  const start = nanos(snapshot.startedAt);
  const time = nanos(snapshot.until);
  return {
    resourceMetrics: snapshot.services.map((t) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: t.service } }] },
      scopeMetrics: [
        {
          scope: { name: OTLP_SCOPE },
          metrics: [
            {
              name: OTLP_REQUESTS_METRIC,
              unit: '{request}',
              description: 'Requests served by the simulated service, by HTTP status code.',
              sum: {
                aggregationTemporality: CUMULATIVE,
                isMonotonic: true,
                dataPoints: [
                  { code: 200, value: t.requests - t.errors },
                  { code: 500, value: t.errors },
                ].map(({ code, value }) => ({
                  attributes: [{ key: 'http.response.status_code', value: { intValue: String(code) } }],
                  startTimeUnixNano: start,
                  timeUnixNano: time,
                  asInt: int(value),
                })),
              },
            },
            {
              name: OTLP_DURATION_METRIC,
              unit: 's',
              description: 'Latency of the simulated service\'s requests.',
              histogram: {
                aggregationTemporality: CUMULATIVE,
                dataPoints: [
                  {
                    startTimeUnixNano: start,
                    timeUnixNano: time,
                    count: int(t.requests),
                    sum: t.latencySumSeconds,
                    bucketCounts: t.latencyBucketCounts.map(int),
                    explicitBounds: [...snapshot.bounds],
                  },
                ],
              },
            },
          ],
        },
      ],
    })),
  };
}
