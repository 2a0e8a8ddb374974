import { OTLPMetricExporter as OTLPJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  InstrumentType,
  MetricReader,
  type AggregationOption,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/** A reader that collects only when asked, so a test decides when each export happens. */
class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export type Encoding = 'protobuf' | 'json';

export interface FakeServiceOptions {
  serviceName: string;
  instanceId?: string;
  temporality?: 'cumulative' | 'delta';
  /** Record histograms as exponential histograms instead of explicit buckets. */
  exponential?: boolean;
  /** Explicit bucket bounds (seconds) for histograms. */
  boundaries?: number[];
}

/**
 * A fake instrumented service: it records with the official OpenTelemetry JS metrics SDK and
 * pushes with the official OTLP exporters (JSON: exporter-metrics-otlp-http, protobuf:
 * exporter-metrics-otlp-proto), so what Headroom receives is exactly what a real service sends.
 * A new instance is a process restart: new start times, counters from zero.
 */
export class FakeInstrumentedService {
  private readonly reader: ManualReader;
  readonly provider: MeterProvider;

  constructor(readonly options: FakeServiceOptions) {
    const temporality = options.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
    const histogram: AggregationOption = options.exponential
      ? { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } }
      : options.boundaries
        ? { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: options.boundaries } }
        : { type: AggregationType.DEFAULT };
    this.reader = new ManualReader({
      aggregationTemporalitySelector: () => temporality,
      aggregationSelector: (type) => (type === InstrumentType.HISTOGRAM ? histogram : { type: AggregationType.DEFAULT }),
    });
    this.provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.instance.id': options.instanceId ?? 'pod-1' }),
      readers: [this.reader],
    });
  }

  get meter() {
    return this.provider.getMeter('headroom-test', '1.0.0');
  }

  async collect(): Promise<ResourceMetrics> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length) throw new Error(`collect failed: ${errors.map(String).join('; ')}`);
    return resourceMetrics;
  }

  /** The request body an exporter would send now (the SDK's own serializers). */
  async body(encoding: Encoding): Promise<Buffer> {
    const rm = await this.collect();
    const bytes = encoding === 'protobuf' ? ProtobufMetricsSerializer.serializeRequest(rm) : JsonMetricsSerializer.serializeRequest(rm);
    if (!bytes) throw new Error('serializer returned nothing');
    return Buffer.from(bytes);
  }

  /** Pushes what was recorded since the last push with the official exporter over HTTP. */
  async push(url: string, key: string, encoding: Encoding, opts: { gzip?: boolean } = {}): Promise<{ code: number; error?: Error }> {
    const config = { url, headers: { Authorization: `Bearer ${key}` }, compression: opts.gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE, timeoutMillis: 10_000 };
    const exporter: PushMetricExporter = encoding === 'protobuf' ? new OTLPProtoMetricExporter(config) : new OTLPJsonMetricExporter(config);
    const rm = await this.collect();
    try {
      return await new Promise((resolve) => exporter.export(rm, (result) => resolve(result)));
    } finally {
      await exporter.shutdown();
    }
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
