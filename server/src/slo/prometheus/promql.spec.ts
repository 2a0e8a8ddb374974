import { latencyBucketsRateQuery, parseLe, promDuration, renderWindowQuery } from './promql';

describe('promDuration', () => {
  it.each([
    [300, '5m'],
    [1800, '30m'],
    [3600, '1h'],
    [7200, '2h'],
    [21600, '6h'],
    [86400, '1d'],
    [259200, '3d'],
    [2592000, '30d'],
    [604800, '1w'],
    [5400, '90m'],
    [45, '45s'],
  ])('%d s -> %s', (seconds, text) => {
    expect(promDuration(seconds)).toBe(text);
  });

  it.each([0, -60, 1.5, Number.NaN])('refuses %p', (seconds) => {
    expect(() => promDuration(seconds)).toThrow(/positive whole number of seconds/);
  });
});

describe('renderWindowQuery', () => {
  it('replaces every placeholder, with or without spaces inside the braces', () => {
    const q = 'sum(rate(http_requests_total{job="ranker",code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{job="ranker"}[{{ window }}]))';
    expect(renderWindowQuery(q, 3600)).toBe(
      'sum(rate(http_requests_total{job="ranker",code=~"5.."}[1h])) / sum(rate(http_requests_total{job="ranker"}[1h]))',
    );
  });

  it('leaves label braces and other templates alone', () => {
    expect(renderWindowQuery('sum(rate(x{a="{b}"}[{{window}}]))', 300)).toBe('sum(rate(x{a="{b}"}[5m]))');
    expect(renderWindowQuery('{{other}}[{{window}}]', 300)).toBe('{{other}}[5m]');
  });
});

describe('latencyBucketsRateQuery', () => {
  it('sums rate() of the _bucket series by le, the window left for each step', () => {
    const template = latencyBucketsRateQuery('http_request_duration_seconds', '{job="ranker",route="/rank"}');
    expect(template).toBe('sum by (le) (rate(http_request_duration_seconds_bucket{job="ranker",route="/rank"}[{{window}}]))');
    expect(renderWindowQuery(template, 120)).toBe('sum by (le) (rate(http_request_duration_seconds_bucket{job="ranker",route="/rank"}[2m]))');
  });

  it('drops an empty selector', () => {
    expect(latencyBucketsRateQuery('rpc_seconds', '{}')).toBe('sum by (le) (rate(rpc_seconds_bucket[{{window}}]))');
  });
});

describe('parseLe', () => {
  it.each([
    ['0.25', 0.25],
    ['1', 1],
    ['1e-3', 0.001],
    ['+Inf', Number.POSITIVE_INFINITY],
    ['-0.5', -0.5],
  ])('%s -> %p', (text, value) => {
    expect(parseLe(text)).toBe(value);
  });

  it.each([undefined, '', 'abc'])('%p is not a bound', (text) => {
    expect(parseLe(text)).toBeNull();
  });
});
