import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { AppConfig } from './config/config';

/**
 * Registers the OpenTelemetry tracer provider with an OTLP/HTTP exporter, only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise the spans made through @opentelemetry/api
 * stay no-ops.
 */
export function initTelemetry(config: AppConfig): { shutdown(): Promise<void> } {
  if (!config.otel.endpoint) return { shutdown: async () => undefined };
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.otel.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.otel.endpoint.replace(/\/$/, '')}/v1/traces` }), { scheduledDelayMillis: 1000 })],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}
