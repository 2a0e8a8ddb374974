import type { SloDefinition } from '../rules/slo-definition';
import { matchesAttributes, resolveOtlpSeries, type OtlpCatalogEntry } from './otlp-series-resolver';

const entry = (seriesId: string, metricName: string, kind: OtlpCatalogEntry['kind'], attributes: Record<string, unknown>, serviceName = 'ranker'): OtlpCatalogEntry => ({
  seriesId,
  serviceName,
  metricName,
  kind,
  attributes,
});
const catalog = [
  entry('ok', 'requests', 'sum', { code: 200, route: '/a' }),
  entry('err', 'requests', 'sum', { code: 500, route: '/a' }),
  entry('err-b', 'requests', 'sum', { code: '500', route: '/b' }),
  entry('other-service', 'requests', 'sum', { code: 500 }, 'feature-store'),
  entry('lat', 'duration', 'histogram', { route: '/a' }),
  entry('lat-exp', 'duration', 'exponential_histogram', { route: '/a', region: 'eu' }),
  entry('lat-b', 'duration', 'histogram', { route: '/b' }),
];
const base = { service: 'ranker', objective: 0.99, periodSeconds: 2592000, severity: 'critical', runbookId: 'r', labels: {}, file: 'x.yaml', alerting: { page: true, ticket: true, windows: null, minEvents: 0, noData: null } } as const;

describe('OTLP series resolution', () => {
  it('matches a subset of attributes, comparing values as text', () => {
    expect(matchesAttributes({}, { a: 1 })).toBe(true);
    expect(matchesAttributes({ code: 500 }, { code: '500', route: '/a' })).toBe(true);
    expect(matchesAttributes({ code: '500' }, { code: 500 })).toBe(true);
    expect(matchesAttributes({ code: 500 }, { code: 200 })).toBe(false);
    expect(matchesAttributes({ code: 500 }, { route: '/a' })).toBe(false);
    expect(matchesAttributes({ flag: true }, { flag: true })).toBe(true);
  });

  it('resolves events and latency SLOs to every matching series of the right kind and service', () => {
    const slos: SloDefinition[] = [
      {
        ...base,
        id: 'ranker.availability',
        name: 'availability',
        sli: { kind: 'events', source: 'otlp', total: { metric: 'requests', serviceName: 'ranker', attributes: {} }, bad: { metric: 'requests', serviceName: 'ranker', attributes: { code: 500 } } },
      },
      {
        ...base,
        id: 'ranker.latency',
        name: 'latency',
        sli: { kind: 'latency', source: 'otlp', thresholdSeconds: 0.25, histogram: { metric: 'duration', serviceName: 'ranker', attributes: { route: '/a' } } },
      },
      { ...base, id: 'ranker.sim', name: 'sim', sli: { kind: 'events', source: 'simulator' } },
    ];
    const resolved = resolveOtlpSeries(slos, catalog);
    expect(resolved.get('ranker.availability')).toEqual({ kind: 'events', total: ['err', 'err-b', 'ok'], bad: ['err', 'err-b'] });
    expect(resolved.get('ranker.latency')).toEqual({ kind: 'latency', histogram: ['lat', 'lat-exp'], thresholdSeconds: 0.25 });
    expect(resolved.has('ranker.sim')).toBe(false);
  });
});
