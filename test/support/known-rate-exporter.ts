import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A service whose request counter and latency histogram grow at known rates: 100 requests a
 * second, 0.1% failing and 99.95% under 250 ms — until `burstFrom`, after which 20% fail and
 * 30% are slower than 250 ms. Every value is a function of time, so the history written into
 * Prometheus' TSDB ahead of the test (openMetricsHistory, for promtool) and what Prometheus
 * scrapes live from /metrics form one continuous series.
 */
export const REQUESTS_PER_SECOND = 100;
export const BOUNDS = [0.1, 0.25, 1] as const;

interface Phase {
  errorRatio: number;
  /** Share of requests at or under each bound of BOUNDS. */
  under: readonly number[];
}
export const HEALTHY: Phase = { errorRatio: 0.001, under: [0.9, 0.9995, 1] };
export const BURST: Phase = { errorRatio: 0.2, under: [0.5, 0.7, 0.95] };

export class KnownRateExporter {
  private server?: http.Server;
  url = '';
  port = 0;

  /** Times in ms; `burstFrom` null means healthy throughout. */
  constructor(
    readonly startedAt: number,
    readonly burstFrom: number | null,
  ) {}

  /** Seconds spent in each phase between the start and t. */
  private seconds(t: number): { healthy: number; burst: number } {
    const end = Math.max(this.startedAt, t);
    const split = this.burstFrom === null ? end : Math.min(end, Math.max(this.startedAt, this.burstFrom));
    return { healthy: (split - this.startedAt) / 1000, burst: (end - split) / 1000 };
  }

  /** Cumulative counter and bucket values at time t (ms). */
  valuesAt(t: number): { ok: number; errors: number; buckets: number[]; count: number; sum: number } {
    const s = this.seconds(t);
    const requests = (p: Phase, seconds: number) => REQUESTS_PER_SECOND * seconds;
    const count = requests(HEALTHY, s.healthy) + requests(BURST, s.burst);
    const errors = requests(HEALTHY, s.healthy) * HEALTHY.errorRatio + requests(BURST, s.burst) * BURST.errorRatio;
    const buckets = BOUNDS.map((_, i) => requests(HEALTHY, s.healthy) * HEALTHY.under[i] + requests(BURST, s.burst) * BURST.under[i]);
    return { ok: count - errors, errors, buckets, count, sum: count * 0.08 };
  }

  /** The exposition text of the service at time t, with or without sample timestamps. */
  private lines(t: number, labels: string, stamp: string): string[] {
    const v = this.valuesAt(t);
    const l = (extra: string) => `{${[labels, extra].filter(Boolean).join(',')}}`;
    return [
      `http_requests_total${l('code="200"')} ${v.ok}${stamp}`,
      `http_requests_total${l('code="500"')} ${v.errors}${stamp}`,
      ...BOUNDS.map((le, i) => `http_request_duration_seconds_bucket${l(`le="${le}"`)} ${v.buckets[i]}${stamp}`),
      `http_request_duration_seconds_bucket${l('le="+Inf"')} ${v.count}${stamp}`,
      `http_request_duration_seconds_sum${l('')} ${v.sum}${stamp}`,
      `http_request_duration_seconds_count${l('')} ${v.count}${stamp}`,
    ];
  }

  /**
   * The history between two times as OpenMetrics with timestamps, for
   * `promtool tsdb create-blocks-from openmetrics`; `labels` are those a scrape adds (job, instance).
   */
  openMetricsHistory(from: number, to: number, everySeconds: number, labels: string): string {
    // OpenMetrics keeps each series' samples together and in time order: one list per series.
    const bySeries: string[][] = [];
    for (let t = from; t <= to; t += everySeconds * 1000) {
      this.lines(t, labels, ` ${(t / 1000).toFixed(3)}`).forEach((line, i) => (bySeries[i] ??= []).push(line));
    }
    return ['# TYPE http_requests counter', ...bySeries.slice(0, 2).flat(), '# TYPE http_request_duration_seconds histogram', ...bySeries.slice(2).flat(), '# EOF', ''].join('\n');
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(['# TYPE http_requests_total counter', '# TYPE http_request_duration_seconds histogram', ...this.lines(Date.now(), '', '')].join('\n') + '\n');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
