import { parseYamlStrict } from '../rules/yaml-source';
import { alertFileSchema } from '../rules/slo-definition';
import { stringify } from 'yaml';
import { chooseThreshold, counterCandidates, formatThreshold, histogramCandidates, planSloFile, rateWindowFor, scrapeInterval, serviceNameFor, statusMatch } from './slo-init-plan';

describe('slo init: choosing metrics', () => {
  const names = [
    'go_gc_duration_seconds_bucket', 'process_cpu_seconds_total', 'promhttp_metric_handler_requests_total',
    'cache_hits_total', 'http_requests_total', 'http_request_duration_seconds_bucket', 'db_query_duration_seconds_bucket', 'up',
  ];

  it('ranks request counters first and leaves exporters\' own metrics out', () => {
    expect(counterCandidates(names)).toEqual(['http_requests_total', 'cache_hits_total']);
    expect(counterCandidates(['grpc_server_handled_total', 'grpc_server_started_total'])[0]).toBe('grpc_server_handled_total');
  });

  it('ranks request-duration histograms in seconds first', () => {
    expect(histogramCandidates(names, 'http_requests_total')).toEqual(['http_request_duration_seconds_bucket', 'db_query_duration_seconds_bucket']);
    expect(histogramCandidates(['rpc_latency_milliseconds_bucket'])).toEqual([]);
  });

  it('finds the status label and the matcher for server errors', () => {
    expect(statusMatch({ code: ['200', '500', '404'] })).toEqual({ label: 'code', errors: 'code=~"5.."' });
    expect(statusMatch({ status: ['2xx', '5xx'] })).toEqual({ label: 'status', errors: 'status=~"5xx|5XX"' });
    expect(statusMatch({ grpc_code: ['OK', 'Unavailable'] })?.errors).toBe('grpc_code=~"Unknown|DeadlineExceeded|Internal|Unavailable|DataLoss"');
    // A label that holds something else (a status word) is not a status code.
    expect(statusMatch({ status: ['ok', 'failed'] })).toBeUndefined();
    expect(statusMatch({})).toBeUndefined();
  });

  it('picks the bucket bound nearest 250 ms, by ratio, the lower on a tie', () => {
    expect(chooseThreshold([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, Infinity])).toBe(0.25);
    expect(chooseThreshold([0.1, 0.2, 0.4, 0.8, Infinity])).toBe(0.2);
    expect(chooseThreshold([0.3, 1, Infinity])).toBe(0.3);
    expect(chooseThreshold([0.2, 0.3125])).toBe(0.2);
    expect(chooseThreshold([Infinity])).toBeUndefined();
  });

  it('formats thresholds the way the schema reads them', () => {
    expect(formatThreshold(0.25)).toBe('250ms');
    expect(formatThreshold(1)).toBe('1s');
    expect(formatThreshold(2.5)).toBe('2500ms');
    expect(formatThreshold(0.0005)).toBe(0.0005);
  });

  it('reads the scrape interval from the gaps between samples of up', () => {
    expect(scrapeInterval([[0, 15, 30, 45, 90, 105]])).toBe(15);
    expect(scrapeInterval([[0, 120, 240], [0, 60, 120, 180]])).toBe(60);
    expect(scrapeInterval([[5]])).toBeUndefined();
    expect(scrapeInterval([])).toBeUndefined();
  });

  it('widens the rate window for jobs scraped less often than every minute', () => {
    expect(rateWindowFor(undefined)).toBeUndefined();
    expect(rateWindowFor(15)).toBeUndefined();
    expect(rateWindowFor(60)).toBeUndefined();
    expect(rateWindowFor(90)).toBe('3m');
    expect(rateWindowFor(300)).toBe('10m');
  });

  it('turns a job into a service name', () => {
    expect(serviceNameFor('Playlist_API')).toBe('playlist-api');
    expect(serviceNameFor('kubernetes-pods/api')).toBe('kubernetes-pods-api');
    expect(serviceNameFor('___')).toBeUndefined();
  });
});

describe('slo init: the starter file', () => {
  const server = { name: 'default', url: 'http://prometheus:9090', declare: true };
  const found = {
    job: 'playlist-api',
    counter: { name: 'http_requests_total', status: { label: 'code' as const, errors: 'code=~"5.."' } },
    histogram: { name: 'http_request_duration_seconds', bounds: [0.05, 0.1, 0.25, 0.5, 1] },
  };

  it('has an availability and a latency SLO and the server, and passes the schema', () => {
    const file = planSloFile(found, { service: 'playlist-api', runbook: 'playlist-api.md', server });
    expect(parseYamlStrict('x.yaml', stringify(file), alertFileSchema)).toMatchObject({ service: 'playlist-api' });
    expect(file.prometheus).toEqual([{ name: 'default', url: 'http://prometheus:9090' }]);
    const [availability, latency] = file.slos!;
    expect(availability.sli.prometheus).toEqual({
      server: 'default',
      errorQuery: 'sum(rate(http_requests_total{job="playlist-api",code=~"5.."}[{{window}}])) or vector(0)',
      totalQuery: 'sum(rate(http_requests_total{job="playlist-api"}[{{window}}]))',
    });
    expect(latency.sli).toMatchObject({ threshold: '250ms', prometheus: { histogramMetric: 'http_request_duration_seconds', selector: '{job="playlist-api"}' } });
  });

  it('writes what it found, and leaves the server out when it is declared elsewhere', () => {
    const file = planSloFile({ job: 'a"b', histogram: found.histogram }, { service: 'ab', runbook: 'ab.md', server: { ...server, declare: false } });
    expect(file.slos!.map((s) => s.name)).toEqual(['latency']);
    expect(file.prometheus).toBeUndefined();
    const slow = planSloFile(found, { service: 'ab', runbook: 'ab.md', server: { ...server, rateWindow: '4m' } });
    expect(slow.prometheus).toEqual([{ name: 'default', url: 'http://prometheus:9090', rateWindow: '4m' }]);
    expect(file.slos![0].sli.prometheus?.selector).toBe('{job="a\\"b"}');
    expect(() => parseYamlStrict('x.yaml', stringify(file), alertFileSchema)).not.toThrow();
  });
});
