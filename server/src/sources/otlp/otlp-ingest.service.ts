import { HttpException, HttpStatus, Inject, Injectable, StreamableFile, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../../common/clock';
import { LOGGER, type Logger } from '../../common/logger';
import { AppMetrics } from '../../common/metrics';
import { withSpan } from '../../common/telemetry';
import { OtlpSeriesStore } from '../../slo/otlp-series-store';
import { SLI_STORE, type SliStore } from '../../slo/sli-store';
import { SloEvaluator } from '../../slo/slo-evaluator.service';
import type { Outcome } from './cumulative';
import type { OtlpBody } from './otlp-body';
import { describeRejections, ExportTooLargeError, normalizeRequest, type Rejection } from './otlp-points';
import { decodeRequest, encodeResponse, OtlpDecodeError, type ExportMetricsServiceRequest } from './otlp-proto';
import { OtlpStreamWriter } from './otlp-stream-writer';

/** A 4xx/5xx of the OTLP endpoint; OtlpExceptionFilter writes it in the request's encoding. */
export class OtlpHttpError extends HttpException {
  constructor(status: number, message: string) {
    super({ statusCode: status, message }, status);
  }
}

export interface IngestResult {
  /** Points stored or folded into a stream's state (a baseline or a duplicate is accepted too). */
  accepted: number;
  rejected: Rejection[];
  /** Accepted but not stored: gauges, non-monotonic sums, summaries, no-value points. */
  ignored: number;
  outcomes: Record<Outcome, number>;
  /** Series that received an increase. */
  series: Set<string>;
}

/** Points stamped further ahead of the server clock than this are refused. */
const MAX_FUTURE_MS = 10 * 60_000;
const MIN_EVALUATION_GAP_MS = 250;

/**
 * The OTLP/HTTP metrics source: decodes an export, checks every point, hands the good ones to
 * OtlpStreamWriter (cumulative → increases against stream state in PostgreSQL, rollups, one
 * transaction), answers with ExportMetricsServiceResponse, and has evaluation run for the series
 * touched without holding up the answer (runs are coalesced: one at a time, the next one takes
 * every batch that landed meanwhile).
 */
@Injectable()
export class OtlpIngestService implements OnApplicationShutdown {
  private readonly writer: OtlpStreamWriter;
  private evaluation: Promise<void> | null = null;
  private pending: { series: Set<string>; at: Date } | null = null;

  constructor(
    dataSource: DataSource,
    private readonly evaluator: SloEvaluator,
    private readonly metrics: AppMetrics,
    @Inject(SLI_STORE) store: SliStore,
    catalog: OtlpSeriesStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.writer = new OtlpStreamWriter(dataSource, store, catalog, logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.idle();
  }

  /** POST /v1/metrics: the ExportMetricsServiceResponse in the request's encoding. */
  async export(body: OtlpBody | undefined): Promise<StreamableFile> {
    if (!body) throw new OtlpHttpError(HttpStatus.BAD_REQUEST, 'no OTLP body (POST an ExportMetricsServiceRequest)');
    let request: ExportMetricsServiceRequest;
    try {
      request = decodeRequest(body.buffer, body.encoding);
    } catch (err) {
      if (err instanceof OtlpDecodeError) throw new OtlpHttpError(HttpStatus.BAD_REQUEST, err.message);
      throw err;
    }
    let result: IngestResult;
    try {
      result = await this.ingest(request);
    } catch (err) {
      if (err instanceof ExportTooLargeError) throw new OtlpHttpError(HttpStatus.PAYLOAD_TOO_LARGE, err.message);
      throw err;
    }
    const message = describeRejections(result.rejected);
    if (result.rejected.length > 0) this.logger.warn({ rejected: result.rejected.length, accepted: result.accepted }, `OTLP: ${message}`);
    // Nothing usable at all: a client error, and nothing was written.
    if (result.rejected.length > 0 && result.accepted === 0 && result.ignored === 0) throw new OtlpHttpError(HttpStatus.BAD_REQUEST, message);
    const type = body.encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
    return new StreamableFile(encodeResponse(body.encoding, result.rejected.length, message), { type });
  }

  /** Validates and stores one decoded export. Nothing is written when no point is valid. */
  async ingest(request: ExportMetricsServiceRequest): Promise<IngestResult> {
    const normalized = normalizeRequest(request, { nowMs: this.clock.now().getTime(), maxFutureMs: MAX_FUTURE_MS });
    const result: IngestResult = {
      accepted: normalized.points.length,
      rejected: normalized.rejected,
      ignored: normalized.ignored,
      outcomes: { stored: 0, baseline: 0, reset: 0, duplicate: 0 },
      series: new Set(),
    };
    if (normalized.points.length === 0) return result;
    return withSpan('sources.otlp.ingest', { points: normalized.points.length }, async () => {
      const written = await this.writer.write(normalized.points);
      result.outcomes = written.outcomes;
      result.series = written.series;
      this.metrics.ingestedSamples.inc({ source: 'otlp' }, written.samples);
      if (written.series.size > 0) this.triggerEvaluation(written.series, this.clock.now());
      return result;
    });
  }

  /** Resolves once the evaluations triggered so far have run (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.evaluation) await this.evaluation;
  }

  private triggerEvaluation(series: Set<string>, at: Date): void {
    if (this.evaluation) {
      if (this.pending) for (const s of series) this.pending.series.add(s);
      else this.pending = { series: new Set(series), at };
      this.pending.at = at;
      return;
    }
    this.evaluation = this.drainEvaluations({ series, at });
  }

  private async drainEvaluations(first: { series: Set<string>; at: Date }): Promise<void> {
    let next: { series: Set<string>; at: Date } | null = first;
    let lastStart = 0;
    while (next) {
      // Under a steady stream of batches, evaluate at most every MIN_EVALUATION_GAP_MS: the
      // first batch after a quiet spell is evaluated at once (a page does not wait).
      const wait = lastStart + MIN_EVALUATION_GAP_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      lastStart = Date.now();
      try {
        await this.evaluator.evaluateAfterIngest(next.series);
      } catch (err) {
        this.logger.error({ err }, 'evaluation after an OTLP batch failed');
      }
      next = this.pending;
      this.pending = null;
      // Cleared in the same tick as the last look at `pending`, so no batch is left behind.
      if (!next) this.evaluation = null;
    }
  }
}
