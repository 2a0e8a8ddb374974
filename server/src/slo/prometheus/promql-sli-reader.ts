import type { SliSpec, SloDefinition } from '../../rules/slo-definition';
import type { WindowCounts } from '../burn-rate';
import { countAtOrBelow, type HistogramBucket } from '../histogram-quantile';
import type { SliReader, SloWindowCounts } from '../sli-reader';
import { createLimiter, type Limiter } from './concurrency';
import type { PrometheusClient, PrometheusClients } from './prometheus-client';
import { PrometheusQueryError, expectVector, sumVector, type InstantSample, type QueryResult } from './prometheus-response';
import { latencyBucketsQuery, parseLe, promDuration, renderWindowQuery } from './promql';

type PromEventsSli = Extract<SliSpec, { source: 'prometheus'; kind: 'events' }>;
type PromLatencySli = Extract<SliSpec, { source: 'prometheus'; kind: 'latency' }>;

export interface PromqlSliReaderOptions {
  /** Queries in flight at once per server during one pass. */
  concurrencyPerServer?: number;
}

/**
 * Queries Prometheus on demand for SLOs with `sli.source: prometheus`, at the evaluation's
 * `now`, one instant query per SLO, window and query.
 *
 * Events SLIs (Sloth style): `errorQuery` and `totalQuery` are rendered with `{{window}}`
 * replaced by the window (5m, 1h, 3d…). Their results are read as per-second rates, as
 * Sloth's `rate(…[{{window}}])` queries give, and multiplied by the window's seconds to count
 * events: total = total rate × window, good = total − errors. Burn rates and the budget only
 * use the ratio, so queries written with increase() work the same; only `alerting.minEvents`
 * compares absolute numbers and assumes rates.
 *
 * Latency SLIs (Pyrra style): `sum by (le) (increase(<metric>_bucket<selector>[window]))`
 * gives the window's requests per bucket; total is the +Inf bucket and good the requests at
 * or under the threshold, interpolated inside its bucket like Prometheus does.
 *
 * Any failed, empty or NaN query of an SLO puts that SLO alone in no-data with
 * `<server>: <query> [<window>]: <reason>`; the other SLOs of the pass are unaffected.
 */
export class PromqlSliReader implements SliReader {
  readonly sources: ReadonlyArray<SliSpec['source']> = ['prometheus'];
  private readonly concurrency: number;

  constructor(
    private readonly clients: PrometheusClients,
    options: PromqlSliReaderOptions = {},
  ) {
    this.concurrency = options.concurrencyPerServer ?? 4;
  }

  async windowCounts(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<Map<string, SloWindowCounts>> {
    const pass = new QueryPass(now, this.concurrency);
    const windows = [...new Set(windowsSeconds)].sort((a, b) => a - b);
    const entries = await Promise.all(slos.map(async (slo) => [slo.id, await this.countsFor(slo, windows, pass)] as const));
    return new Map(entries);
  }

  private async countsFor(slo: SloDefinition, windows: number[], pass: QueryPass): Promise<SloWindowCounts> {
    const sli = slo.sli;
    if (sli.source !== 'prometheus') return { windows: new Map(), error: `source ${sli.source} is not read from Prometheus` };
    const client = this.clients.client(sli.server);
    if (!client) return { windows: new Map(), error: `${sli.server}: no Prometheus server with this name is declared` };
    const settled = await Promise.allSettled(
      windows.map((w) => (sli.kind === 'events' ? eventsWindow(sli, w, client, pass) : latencyWindow(sli, w, client, pass))),
    );
    // Shortest window first: the same failure reads the same on every pass.
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason instanceof Error ? s.reason.message : String(s.reason)] : []));
    if (failures.length > 0) {
      const more = failures.length > 1 ? ` (and in ${failures.length - 1} more ${failures.length === 2 ? 'window' : 'windows'})` : '';
      return { windows: new Map(), error: `${client.server}: ${failures[0]}${more}` };
    }
    const counts = new Map<number, WindowCounts>();
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') counts.set(windows[i], s.value);
    });
    return { windows: counts };
  }
}

/**
 * One evaluation pass: a limiter per server, each distinct query sent once, and a server that
 * timed out or could not be reached is not asked again in the same pass. Evaluation passes run
 * one at a time, so without that a blackholed Prometheus would hold every SLO's evaluation for
 * (queries ÷ concurrency) × timeout instead of about one timeout.
 */
class QueryPass {
  private readonly limiters = new Map<string, Limiter>();
  private readonly inflight = new Map<string, Promise<QueryResult>>();
  private readonly unreachable = new Map<string, PrometheusQueryError>();

  constructor(
    private readonly now: Date,
    private readonly concurrency: number,
  ) {}

  run(client: PrometheusClient, promql: string): Promise<QueryResult> {
    const key = `${client.server}\u0000${promql}`;
    let p = this.inflight.get(key);
    if (!p) {
      let limit = this.limiters.get(client.server);
      if (!limit) {
        limit = createLimiter(this.concurrency);
        this.limiters.set(client.server, limit);
      }
      p = limit(() => this.send(client, promql));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async send(client: PrometheusClient, promql: string): Promise<QueryResult> {
    const down = this.unreachable.get(client.server);
    if (down) throw new PrometheusQueryError(down.kind, `not sent: an earlier query of this pass failed with "${down.message}"`);
    try {
      return await client.query(promql, this.now);
    } catch (err) {
      if (err instanceof PrometheusQueryError && (err.kind === 'timeout' || err.kind === 'network') && !this.unreachable.has(client.server)) {
        this.unreachable.set(client.server, err);
      }
      throw err;
    }
  }
}

/** Prefixes an error with the query and window it came from. */
async function labelled<T>(what: string, windowSeconds: number, work: () => Promise<T>, hint = ''): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const extra = err instanceof PrometheusQueryError && err.kind === 'no-data' ? hint : '';
    throw new PrometheusQueryError(err instanceof PrometheusQueryError ? err.kind : 'bad-response', `${what} [${promDuration(windowSeconds)}]: ${reason}${extra}`);
  }
}

function finiteNonNegative(value: number): number {
  if (!Number.isFinite(value)) throw new PrometheusQueryError('bad-response', `the query returned ${value > 0 ? '+Inf' : '-Inf'}`);
  return Math.max(0, value);
}

async function eventsWindow(sli: PromEventsSli, w: number, client: PrometheusClient, pass: QueryPass): Promise<WindowCounts> {
  const value = async (promql: string) => finiteNonNegative(sumVector(expectVector(await pass.run(client, promql))));
  const [errorsResult, totalResult] = await Promise.allSettled([
    // A service that never failed often has no error series at all: say how to make that zero.
    labelled('errorQuery', w, () => value(renderWindowQuery(sli.errorQuery, w)), '; if the error series may not exist yet, end errorQuery with "or vector(0)"'),
    labelled('totalQuery', w, () => value(renderWindowQuery(sli.totalQuery, w))),
  ]);
  // When both fail, the error query's reason is the one shown, whichever answered first.
  if (errorsResult.status === 'rejected') throw errorsResult.reason;
  if (totalResult.status === 'rejected') throw totalResult.reason;
  const errors = errorsResult.value;
  const total = totalResult.value;
  const totalEvents = total * w;
  const badEvents = Math.min(totalEvents, errors * w);
  return { total: totalEvents, good: totalEvents - badEvents };
}

async function latencyWindow(sli: PromLatencySli, w: number, client: PrometheusClient, pass: QueryPass): Promise<WindowCounts> {
  return labelled(`${sli.histogramMetric}_bucket`, w, async () => {
    const samples = expectVector(await pass.run(client, latencyBucketsQuery(sli.histogramMetric, sli.selector, w)));
    const buckets = toBuckets(samples);
    const total = countAtOrBelow(Number.POSITIVE_INFINITY, buckets);
    const good = total > 0 ? countAtOrBelow(sli.thresholdSeconds, buckets) : 0;
    return { total, good: Math.min(total, Math.max(0, good)) };
  });
}

/** Turns `sum by (le)` samples into a classic histogram, refusing what is not one. */
export function toBuckets(samples: readonly InstantSample[]): HistogramBucket[] {
  if (samples.length === 0) throw new PrometheusQueryError('no-data', 'no series matched (empty vector)');
  const buckets = samples.map((s) => {
    const le = parseLe(s.metric.le);
    if (le === null) throw new PrometheusQueryError('bad-response', `a series has no numeric le label (${JSON.stringify(s.metric)}): not a classic histogram`);
    if (Number.isNaN(s.value)) throw new PrometheusQueryError('nan', `bucket le="${s.metric.le}" is NaN`);
    if (!Number.isFinite(s.value)) throw new PrometheusQueryError('bad-response', `bucket le="${s.metric.le}" is infinite`);
    return { le, count: Math.max(0, s.value) };
  });
  if (!buckets.some((b) => b.le === Number.POSITIVE_INFINITY)) {
    throw new PrometheusQueryError('bad-response', 'no le="+Inf" bucket, so the total is unknown');
  }
  return buckets;
}
