import type { DataSource } from 'typeorm';
import type { Clock } from '../../common/clock';
import type { SloDefinition } from '../../rules/slo-definition';
import type { SeriesResolver, SloSeries } from '../sli-reader';
import { allSeries } from '../series';
import { prometheusSeriesForSlo, pullNoDataReason, type PullState } from './pull-plan';

/** The pull progress of these stored series (the puller's rows), by series. */
export async function readPullStates(dataSource: DataSource, series: readonly string[]): Promise<Map<string, PullState>> {
  if (series.length === 0) return new Map();
  const rows: Array<{ series: string; server: string; query: string; backfill_from: Date; pulled_until: Date; caught_up_at: Date | null; last_error: string | null }> = await dataSource.query(
    `SELECT series, server, query, backfill_from, pulled_until, caught_up_at, last_error FROM prometheus_pulls WHERE series = ANY($1::text[])`,
    [series],
  );
  return new Map(
    rows.map((r) => [
      r.series,
      {
        series: r.series,
        server: r.server,
        query: r.query,
        backfillFrom: new Date(r.backfill_from).getTime(),
        pulledUntil: new Date(r.pulled_until).getTime(),
        caughtUpAt: r.caught_up_at ? new Date(r.caught_up_at).getTime() : null,
        lastError: r.last_error,
      },
    ]),
  );
}

/**
 * Resolves Prometheus-backed SLOs to the series the puller stores for their queries, and marks
 * those whose pulled data is not current (backfilling, the last pull failed, or behind) as
 * no-data with the reason: one indexed read of the puller's cursors per pass.
 */
export class PrometheusSeriesResolver implements SeriesResolver {
  readonly source = 'prometheus' as const;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async resolve(slos: SloDefinition[]): Promise<Map<string, SloSeries>> {
    const resolved = new Map<string, SloSeries>();
    for (const slo of slos) {
      const series = prometheusSeriesForSlo(slo);
      if (series) resolved.set(slo.id, series);
    }
    const states = await readPullStates(this.dataSource, [...new Set([...resolved.values()].flatMap(allSeries))]);
    const now = this.clock.now().getTime();
    const out = new Map<string, SloSeries>();
    for (const slo of slos) {
      const series = resolved.get(slo.id);
      if (!series || slo.sli.source !== 'prometheus') continue;
      const server = slo.sli.server;
      const reason = pullNoDataReason(allSeries(series), states, now, server);
      out.set(slo.id, reason === null ? series : { ...series, noData: reason });
    }
    return out;
  }
}
