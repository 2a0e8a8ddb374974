import type { DataSource } from 'typeorm';
import type { OtlpMetricRef, SloDefinition } from '../rules/slo-definition';
import type { SeriesResolver, SloSeries } from './sli-reader';

export type OtlpSeriesKind = 'sum' | 'histogram' | 'exponential_histogram';

export interface OtlpCatalogEntry {
  seriesId: string;
  serviceName: string;
  metricName: string;
  kind: OtlpSeriesKind;
  attributes: Record<string, unknown>;
}

/**
 * A binding's attributes are a subset match. Values compare as text, so `status_code: 500` in
 * YAML matches an int attribute 500 and a string "500" alike.
 */
export function matchesAttributes(wanted: OtlpMetricRef['attributes'], have: Record<string, unknown>): boolean {
  for (const [key, value] of Object.entries(wanted)) {
    if (!(key in have) || have[key] === null || String(have[key]) !== String(value)) return false;
  }
  return true;
}

const COUNTER_KINDS: readonly OtlpSeriesKind[] = ['sum'];
const HISTOGRAM_KINDS: readonly OtlpSeriesKind[] = ['histogram', 'exponential_histogram'];

/** Every catalog series one binding reads: same service and metric, a kind that fits, attributes ⊇ the binding's. */
export function seriesFor(ref: OtlpMetricRef, kinds: readonly OtlpSeriesKind[], catalog: readonly OtlpCatalogEntry[]): string[] {
  return catalog
    .filter((e) => e.serviceName === ref.serviceName && e.metricName === ref.metric && kinds.includes(e.kind) && matchesAttributes(ref.attributes, e.attributes))
    .map((e) => e.seriesId)
    .sort();
}

/** The pure half of resolution: SLOs and the catalog rows of their metrics → series per SLO. */
export function resolveOtlpSeries(slos: readonly SloDefinition[], catalog: readonly OtlpCatalogEntry[]): Map<string, SloSeries> {
  const out = new Map<string, SloSeries>();
  for (const slo of slos) {
    const sli = slo.sli;
    if (sli.source !== 'otlp') continue;
    if (sli.kind === 'latency') {
      out.set(slo.id, { kind: 'latency', histogram: seriesFor(sli.histogram, HISTOGRAM_KINDS, catalog), thresholdSeconds: sli.thresholdSeconds });
    } else if (sli.good) {
      out.set(slo.id, { kind: 'events', total: seriesFor(sli.total, COUNTER_KINDS, catalog), good: seriesFor(sli.good, COUNTER_KINDS, catalog) });
    } else {
      out.set(slo.id, { kind: 'events', total: seriesFor(sli.total, COUNTER_KINDS, catalog), bad: sli.bad ? seriesFor(sli.bad, COUNTER_KINDS, catalog) : [] });
    }
  }
  return out;
}

function refsOf(slo: SloDefinition): OtlpMetricRef[] {
  const sli = slo.sli;
  if (sli.source !== 'otlp') return [];
  if (sli.kind === 'latency') return [sli.histogram];
  return [sli.total, sli.bad, sli.good].filter((r): r is OtlpMetricRef => r !== undefined);
}

/**
 * Resolves OTLP-backed SLOs to the stored series matching their bindings, from the otlp_series
 * catalog: one indexed query for every (service, metric) the SLOs name, then the subset match
 * here. Not cached, so a series another process created a moment ago is read at once.
 */
export class OtlpSeriesResolver implements SeriesResolver {
  readonly source = 'otlp' as const;

  constructor(private readonly dataSource: DataSource) {}

  async resolve(slos: SloDefinition[]): Promise<Map<string, SloSeries>> {
    const pairs = new Map<string, [string, string]>();
    for (const ref of slos.flatMap(refsOf)) pairs.set(`${ref.serviceName}\u0000${ref.metric}`, [ref.serviceName, ref.metric]);
    if (pairs.size === 0) return resolveOtlpSeries(slos, []);
    const list = [...pairs.values()];
    const rows: Array<{ series_id: string; service_name: string; metric_name: string; kind: OtlpSeriesKind; attributes: Record<string, unknown> }> =
      await this.dataSource.query(
        `SELECT s.series_id, s.service_name, s.metric_name, s.kind, s.attributes
         FROM otlp_series s JOIN unnest($1::text[], $2::text[]) AS want(service_name, metric_name)
           ON s.service_name = want.service_name AND s.metric_name = want.metric_name`,
        [list.map((p) => p[0]), list.map((p) => p[1])],
      );
    const catalog = rows.map((r) => ({ seriesId: r.series_id, serviceName: r.service_name, metricName: r.metric_name, kind: r.kind, attributes: r.attributes }));
    return resolveOtlpSeries(slos, catalog);
  }
}
