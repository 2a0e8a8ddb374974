import { Field, Type } from 'protobufjs/light';
import { configure as configureProtobuf, util as protobufUtil } from 'protobufjs/minimal';
// The protobufjs static module that the OpenTelemetry JS maintainers generate from the official
// opentelemetry-proto definitions (shipped in @opentelemetry/otlp-transformer up to 0.215, which
// we install under an alias for it: later versions replaced it with a serializer that cannot
// decode requests). Its type declarations only say `Root`, so the shapes we read are typed below.
import generatedRoot from 'otlp-transformer-protobufjs/build/src/generated/root';

/** A 64-bit integer as protobufjs decodes it (a `long` Long), or a plain number. */
export interface LongLike {
  high: number;
  low: number;
  unsigned: boolean;
  toNumber(): number;
  toString(): string;
}
export type Int64 = LongLike | number;

/** The decoded shapes (the generated classes; unset scalars are null, unset repeated fields []). */
export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64 | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}
export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}
export interface NumberDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64 | null;
  timeUnixNano?: Int64 | null;
  asDouble?: number | null;
  asInt?: Int64 | null;
  flags?: number | null;
}
export interface HistogramDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64 | null;
  timeUnixNano?: Int64 | null;
  count?: Int64 | null;
  sum?: number | null;
  bucketCounts?: Int64[] | null;
  explicitBounds?: number[] | null;
  flags?: number | null;
}
export interface ExponentialBucketsMessage {
  offset?: number | null;
  bucketCounts?: Int64[] | null;
}
export interface ExponentialHistogramDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64 | null;
  timeUnixNano?: Int64 | null;
  count?: Int64 | null;
  sum?: number | null;
  scale?: number | null;
  zeroCount?: Int64 | null;
  zeroThreshold?: number | null;
  positive?: ExponentialBucketsMessage | null;
  negative?: ExponentialBucketsMessage | null;
  flags?: number | null;
}
export interface Metric {
  name?: string | null;
  unit?: string | null;
  gauge?: { dataPoints?: NumberDataPoint[] | null } | null;
  sum?: { dataPoints?: NumberDataPoint[] | null; aggregationTemporality?: number | null; isMonotonic?: boolean | null } | null;
  histogram?: { dataPoints?: HistogramDataPoint[] | null; aggregationTemporality?: number | null } | null;
  exponentialHistogram?: { dataPoints?: ExponentialHistogramDataPoint[] | null; aggregationTemporality?: number | null } | null;
  summary?: { dataPoints?: unknown[] | null } | null;
}
export interface ScopeMetrics {
  scope?: { name?: string | null; version?: string | null } | null;
  metrics?: Metric[] | null;
}
export interface ResourceMetrics {
  resource?: { attributes?: KeyValue[] | null } | null;
  scopeMetrics?: ScopeMetrics[] | null;
}
export interface ExportMetricsServiceRequest {
  resourceMetrics?: ResourceMetrics[] | null;
}
export interface ExportMetricsServiceResponse {
  partialSuccess?: { rejectedDataPoints?: Int64 | null; errorMessage?: string | null } | null;
}

/** The generated static-module API of one message type. */
interface MessageClass<T> {
  decode(reader: Uint8Array): T;
  encode(message: T): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): T;
  toObject(message: T, options: { longs?: StringConstructor | NumberConstructor; enums?: NumberConstructor; defaults?: boolean }): Record<string, unknown>;
}
interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        metrics: {
          v1: {
            ExportMetricsServiceRequest: MessageClass<ExportMetricsServiceRequest>;
            ExportMetricsServiceResponse: MessageClass<ExportMetricsServiceResponse>;
          };
        };
      };
    };
  };
}
const metricsService = (generatedRoot as unknown as GeneratedRoot).opentelemetry.proto.collector.metrics.v1;

// Decode 64-bit integers (timestamps, counts) straight into numbers instead of one Long object
// each: decoding gets about 5x faster and far less garbage is made, which is most of the ingest
// cost of a histogram point. Counts above 2^53 lose precision, timestamps are kept to ~256 ns:
// neither matters here. This is protobufjs' global setting; nothing else in Headroom uses it.
(protobufUtil as { Long: unknown }).Long = undefined;
configureProtobuf();

export const AGGREGATION_TEMPORALITY = { unspecified: 0, delta: 1, cumulative: 2 } as const;
/** DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK: the point marks a gap, it has no value. */
export const NO_RECORDED_VALUE = 1;

export type OtlpEncoding = 'protobuf' | 'json';

/** Why a body could not be read: becomes a 400 naming the reason. */
export class OtlpDecodeError extends Error {}

export function decodeRequest(body: Buffer, encoding: OtlpEncoding): ExportMetricsServiceRequest {
  if (encoding === 'protobuf') {
    try {
      return metricsService.ExportMetricsServiceRequest.decode(body);
    } catch (err) {
      throw new OtlpDecodeError(`invalid protobuf ExportMetricsServiceRequest: ${(err as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`invalid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OtlpDecodeError('invalid OTLP/JSON: the body must be an ExportMetricsServiceRequest object');
  }
  try {
    // OTLP/JSON is the proto3 JSON mapping with lowerCamelCase keys, 64-bit integers as strings
    // (numbers accepted) and enums as integers: what the generated fromObject reads.
    return metricsService.ExportMetricsServiceRequest.fromObject(parsed as Record<string, unknown>);
  } catch (err) {
    throw new OtlpDecodeError(`invalid OTLP/JSON ExportMetricsServiceRequest: ${(err as Error).message}`);
  }
}

/** ExportMetricsServiceResponse in the request's encoding; partial_success only when something was rejected. */
export function encodeResponse(encoding: OtlpEncoding, rejected: number, errorMessage: string): Buffer {
  const message: ExportMetricsServiceResponse = rejected > 0 || errorMessage ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage } } : {};
  const typed = metricsService.ExportMetricsServiceResponse.fromObject(message as Record<string, unknown>);
  if (encoding === 'protobuf') return Buffer.from(metricsService.ExportMetricsServiceResponse.encode(typed).finish());
  return Buffer.from(JSON.stringify(metricsService.ExportMetricsServiceResponse.toObject(typed, { longs: String })));
}

// google.rpc.Status (google/rpc/status.proto: int32 code = 1; string message = 2), the body
// OTLP/HTTP puts on every 4xx/5xx answer. `details` is never sent.
const statusType = new Type('Status').add(new Field('code', 1, 'int32')).add(new Field('message', 2, 'string'));

/** gRPC status codes that match our HTTP answers (the OTLP spec leaves `code` optional). */
export function grpcCodeFor(httpStatus: number): number {
  if (httpStatus === 401) return 16; // UNAUTHENTICATED
  if (httpStatus === 403) return 7; // PERMISSION_DENIED
  if (httpStatus === 413) return 8; // RESOURCE_EXHAUSTED
  if (httpStatus === 429 || httpStatus === 503) return 14; // UNAVAILABLE
  if (httpStatus >= 400 && httpStatus < 500) return 3; // INVALID_ARGUMENT
  return 13; // INTERNAL
}

export function encodeStatus(code: number, message: string): Buffer {
  return Buffer.from(statusType.encode(statusType.create({ code, message })).finish());
}

export function decodeStatus(body: Uint8Array): { code: number; message: string } {
  const decoded = statusType.toObject(statusType.decode(body), { defaults: true }) as { code: number; message: string };
  return { code: decoded.code, message: decoded.message };
}
