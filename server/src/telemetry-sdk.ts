import type { AppConfig } from './config/config';

/**
 * The OpenTelemetry SDK is only started when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise
 * the API's spans stay no-ops. The SDK is not bundled yet: set the endpoint and install
 * @opentelemetry/sdk-node to export (documented in docs/operations.md).
 */
export function initTelemetry(config: AppConfig): { shutdown(): Promise<void> } {
  if (!config.otel.endpoint) return { shutdown: async () => undefined };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { NodeSDK } = require('@opentelemetry/sdk-node');
    const sdk = new NodeSDK({ serviceName: config.otel.serviceName });
    sdk.start();
    return { shutdown: () => sdk.shutdown() };
  } catch {
    process.stderr.write('OTEL_EXPORTER_OTLP_ENDPOINT is set but @opentelemetry/sdk-node is not installed; spans are not exported\n');
    return { shutdown: async () => undefined };
  }
}
