import { bucketSelector, windowedQuery } from './promql-window';

describe('windowedQuery', () => {
  it.each([
    ['sum(rate(http_requests_total{job="ranker"}[5m]))', 'sum(rate(http_requests_total{job="ranker"}[{{window}}]))'],
    ['sum(increase(lookups_total{outcome="error"}[1h])) by (job)', 'sum(increase(lookups_total{outcome="error"}[{{window}}])) by (job)'],
    ['sum by (code) (rate (x_total[30s] offset 1m))', 'sum by (code) (rate (x_total[{{window}}] offset 1m))'],
    // Grafana's interval variables are ranges too.
    ['sum(rate(x_total[$__rate_interval]))', 'sum(rate(x_total[{{window}}]))'],
    // Already in Headroom's or Sloth's form.
    ['sum(rate(x_total[{{window}}]))', 'sum(rate(x_total[{{window}}]))'],
    ['sum(rate(x_total[{{.window}}]))', 'sum(rate(x_total[{{window}}]))'],
    // A bracket inside a label value is not a range.
    ['sum(rate(x_total{path=~"/a[0-9]+"}[5m]))', 'sum(rate(x_total{path=~"/a[0-9]+"}[{{window}}]))'],
    ['sum(rate(a_total[5m])) + sum(rate(b_total[1h]))', 'sum(rate(a_total[{{window}}])) + sum(rate(b_total[{{window}}]))'],
  ])('rewrites %s', (query, expected) => {
    expect(windowedQuery(query)).toEqual({ ok: true, query: expected });
  });

  it.each([
    ['sum(http_requests_total{code=~"5.."})', /no rate\(\) or increase\(\) over a range/],
    ['sum(avg_over_time(queue_depth[5m]))', /avg_over_time\(…\[5m\]\) is not a rate\(\) or increase\(\)/],
    ['sum(irate(x_total[5m]))', /irate\(…\[5m\]\) is not a rate\(\) or increase\(\)/],
    ['sum(rate(x_total[1h:5m]))', /subquery \[1h:5m\] cannot be re-windowed/],
    ['sum(rate(x_total{job="a}[5m]))', /unterminated string/],
    ['   ', /empty/],
  ])('refuses %s with the reason', (query, reason) => {
    const r = windowedQuery(query);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });
});

describe('bucketSelector', () => {
  it.each([
    ['http_request_duration_seconds_bucket{job="ranker"}', 'http_request_duration_seconds', '{job="ranker"}'],
    ['http_request_duration_seconds_bucket', 'http_request_duration_seconds', '{}'],
    ['sum by (le) (rate(rpc_duration_seconds_bucket{service="fs", method=~"Get.*"}[5m]))', 'rpc_duration_seconds', '{service="fs", method=~"Get.*"}'],
    ['sum(rate(rpc_duration_seconds_bucket{a="}"}[5m])) by (le)', 'rpc_duration_seconds', '{a="}"}'],
  ])('reads %s', (query, metric, selector) => {
    expect(bucketSelector(query)).toEqual({ ok: true, histogramMetric: metric, selector });
  });

  it('explains that histogram_quantile needs the _bucket series instead', () => {
    const r = bucketSelector('histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{job="ranker"}[5m])) by (le))');
    expect(r).toEqual({
      ok: false,
      reason: expect.stringContaining('write spec.query as the bucket series: http_request_duration_seconds_bucket{job="ranker"}'),
    });
    expect(r.ok ? '' : r.reason).toMatch(/^histogram_quantile\(…\) gives a quantile per sample/);
  });

  it.each([
    ['avg(request_latency_seconds{job="a"})', /one classic histogram/],
    ['sum(rate(a_bucket[5m])) / sum(rate(b_bucket[5m]))', /one classic histogram/],
    ['max(rate(x_seconds_bucket[5m]))', /"max" is more than Headroom can read/],
    ['x_seconds_bucket{le="0.25"}', /must not match on le/],
  ])('refuses %s', (query, reason) => {
    const r = bucketSelector(query);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });
});
