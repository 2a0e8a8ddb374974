import { formatValue, simulatorExposition } from './simulator-exposition';
import type { TotalsSnapshot } from './simulator-totals';

const snapshot: TotalsSnapshot = {
  startedAt: new Date(0),
  until: new Date(60_000),
  bounds: [0.1, 0.25],
  services: [
    { service: 'now-playing-ranker', requests: 100, errors: 3, latencyBucketCounts: [90, 8, 2], latencySumSeconds: 7.25 },
    { service: 'odd "name"\\x', requests: 0, errors: 0, latencyBucketCounts: [0, 0, 0], latencySumSeconds: 0 },
  ],
};

describe('simulatorExposition', () => {
  const text = simulatorExposition(snapshot);
  const lines = text.trimEnd().split('\n');

  it('writes one family per metric, TYPE before its samples, and ends with a line feed', () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(lines.filter((l) => l.startsWith('# TYPE'))).toEqual(['# TYPE http_requests_total counter', '# TYPE http_request_duration_seconds histogram']);
    expect(lines.indexOf('# TYPE http_request_duration_seconds histogram')).toBeGreaterThan(lines.findLastIndex((l) => l.startsWith('http_requests_total')));
  });

  it('splits requests into succeeded (200) and failed (500)', () => {
    expect(lines).toContain('http_requests_total{service="now-playing-ranker",code="200"} 97');
    expect(lines).toContain('http_requests_total{service="now-playing-ranker",code="500"} 3');
  });

  it('writes cumulative buckets up to +Inf, with _sum and _count', () => {
    expect(lines.filter((l) => l.includes('_bucket{service="now-playing-ranker"'))).toEqual([
      'http_request_duration_seconds_bucket{service="now-playing-ranker",le="0.1"} 90',
      'http_request_duration_seconds_bucket{service="now-playing-ranker",le="0.25"} 98',
      'http_request_duration_seconds_bucket{service="now-playing-ranker",le="+Inf"} 100',
    ]);
    expect(lines).toContain('http_request_duration_seconds_sum{service="now-playing-ranker"} 7.25');
    expect(lines).toContain('http_request_duration_seconds_count{service="now-playing-ranker"} 100');
  });

  it('escapes label values', () => {
    expect(lines).toContain('http_requests_total{service="odd \\"name\\"\\\\x",code="500"} 0');
  });

  it('spells special values the way Prometheus parses them', () => {
    expect([Infinity, -Infinity, NaN, 0.005, 1e-7, 12].map(formatValue)).toEqual(['+Inf', '-Inf', 'NaN', '0.005', '1e-7', '12']);
  });
});
