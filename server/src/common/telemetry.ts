import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';

/**
 * Spans around each pipeline stage through @opentelemetry/api only. Without an SDK registered
 * (no OTEL_EXPORTER_OTLP_ENDPOINT) these are no-ops and cost next to nothing.
 */
const tracer = trace.getTracer('headroom');

export async function withSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
