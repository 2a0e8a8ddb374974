import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLOCK, type Clock } from '../../common/clock';
import { LOGGER, type Logger } from '../../common/logger';
import { ScheduledJob } from '../../common/scheduled-job';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { EXPOSITION_CONTENT_TYPE, simulatorExposition } from './simulator-exposition';
import { simulatorOtlpRequest } from './simulator-otlp';
import { SimulatorTotals, type SimulatedPiece, type TotalsSnapshot } from './simulator-totals';
import { DEFAULT_SERVICE_PROFILES } from './traffic-model';

const PUSH_TIMEOUT_MS = 10_000;

/**
 * Makes the simulated services observable the way real ones are, so a demo exercises Headroom's
 * real ingest paths (Prometheus pull, OTLP push) instead of the simulator's shortcut into the
 * SLI store:
 *
 * - a `/metrics` endpoint in the Prometheus text format on a listener of its own
 *   (HEADROOM_SIMULATOR_METRICS_PORT). Its own port rather than a route of Headroom's API: to
 *   Prometheus it is a separate target (`job="simulated-services"`, like the services'
 *   exporters would be), its series never mix with Headroom's own /metrics, and it needs no API
 *   token (Headroom's /metrics may require one), so the demo's prometheus.yml holds no secret;
 * - an OTLP/HTTP JSON push with cumulative temporality every few seconds
 *   (HEADROOM_SIMULATOR_EXPORT_OTLP_URL, with HEADROOM_SIMULATOR_EXPORT_OTLP_KEY as the bearer
 *   key Headroom's receiver asks for).
 *
 * Both read the same totals, fed by SimulatorService with the pieces it has just written into
 * the store. Each process exports what it generated (one simulator cursor, one writer per range).
 */
@Injectable()
export class SimulatorExportService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly totals?: SimulatorTotals;
  private server?: Server;
  private job?: ScheduledJob;
  private lastPushFailed = false;

  constructor(
    private readonly scheduler: SchedulerRegistry,
    @Inject(CLOCK) clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const { enabled, export: exp } = config.simulator;
    if (enabled && (exp.metricsPort !== undefined || exp.otlp)) {
      this.totals = new SimulatorTotals(clock.now(), DEFAULT_SERVICE_PROFILES.map((p) => p.name));
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.totals) return;
    const { metricsPort, otlp } = this.config.simulator.export;
    if (metricsPort !== undefined) {
      const server = createServer((req, res) => {
        const path = (req.url ?? '').split('?')[0];
        if (path !== '/metrics') {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('the simulated services\' metrics are at /metrics\n');
        } else if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
        } else {
          res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : this.exposition());
        }
      });
      await new Promise<void>((resolve, reject) => {
        // A port in use stops the start, naming the setting to change.
        server.once('error', (err) => reject(new Error(`HEADROOM_SIMULATOR_METRICS_PORT: cannot listen on ${this.config.host}:${metricsPort}: ${err.message}`)));
        server.listen(metricsPort, this.config.host, () => resolve());
      });
      this.server = server;
      const { port } = server.address() as AddressInfo;
      this.logger.info({ port }, `simulated services' metrics for Prometheus at http://${this.config.host}:${port}/metrics`);
    }
    if (otlp) {
      this.logger.info({ url: otlp.url, everySeconds: otlp.intervalSeconds }, 'simulated services\' metrics pushed over OTLP/HTTP');
      this.job = ScheduledJob.start({ name: 'simulator otlp export', everyMs: otlp.intervalSeconds * 1000, run: () => this.push(), logger: this.logger, scheduler: this.scheduler });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** The port /metrics listens on (the one bound when HEADROOM_SIMULATOR_METRICS_PORT is 0), if it does. */
  metricsPort(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  /** Counts pieces the simulator has committed to the SLI store (no-op when nothing is exported). */
  record(pieces: readonly SimulatedPiece[]): void {
    this.totals?.add(pieces);
  }

  snapshot(): TotalsSnapshot | undefined {
    return this.totals?.snapshot();
  }

  exposition(): string {
    return this.totals ? simulatorExposition(this.totals.snapshot()) : '';
  }

  /**
   * One OTLP push of the totals. A failed push is logged and the next one carries everything
   * (the values are cumulative), so nothing is retried here; a failure is logged once until a
   * push succeeds again, not at every interval.
   */
  async push(): Promise<void> {
    const otlp = this.config.simulator.export.otlp;
    const snapshot = this.totals?.snapshot();
    if (!otlp || !snapshot || snapshot.until.getTime() === snapshot.startedAt.getTime()) return;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (otlp.key) headers.authorization = `Bearer ${otlp.key}`;
    let problem: string | undefined;
    try {
      const res = await fetch(otlp.url, { method: 'POST', headers, body: JSON.stringify(simulatorOtlpRequest(snapshot)), signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
      const text = await res.text();
      if (!res.ok) problem = `HTTP ${res.status}: ${text.slice(0, 300)}`;
      else {
        const rejected = rejectedPoints(text);
        if (rejected > 0) problem = `${rejected} data points rejected: ${text.slice(0, 300)}`;
      }
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem) {
      if (!this.lastPushFailed) this.logger.warn({ url: otlp.url }, `simulator OTLP export failed (retried at the next interval): ${problem}`);
      this.lastPushFailed = true;
    } else {
      if (this.lastPushFailed) this.logger.info({ url: otlp.url }, 'simulator OTLP export works again');
      this.lastPushFailed = false;
    }
  }
}

/** partialSuccess.rejectedDataPoints of an OTLP/JSON answer (0 when absent or not JSON). */
function rejectedPoints(text: string): number {
  try {
    const body = JSON.parse(text) as { partialSuccess?: { rejectedDataPoints?: string | number } };
    return Number(body.partialSuccess?.rejectedDataPoints ?? 0) || 0;
  } catch {
    return 0;
  }
}
