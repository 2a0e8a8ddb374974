import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PrometheusServer } from '../support/prometheus-server';
import { runHeadroomCli, waitFor } from '../support/headroom-process';

/**
 * `headroom slo init` against a real Prometheus (Debian's package) scraping a tiny exporter
 * every second: the file it writes names the job's request counter and latency histogram,
 * picks the bucket bound nearest 250 ms, passes `validate`, and its queries run on that
 * Prometheus; a job without them gets notes saying what was looked for.
 */
const BOUNDS = [0.05, 0.1, 0.2, 0.3, 0.5, 1];

/** Prometheus text exposition of a service with a request counter and a latency histogram. */
function serviceMetrics(n: number): string {
  const buckets = BOUNDS.map((b, i) => `http_request_duration_seconds_bucket{handler="/playlists",le="${b}"} ${n * (i + 1)}`);
  return [
    '# HELP http_requests_total Requests by status code.',
    '# TYPE http_requests_total counter',
    `http_requests_total{code="200",handler="/playlists"} ${n * 10}`,
    `http_requests_total{code="500",handler="/playlists"} ${n}`,
    '# HELP cache_hits_total Cache hits.',
    '# TYPE cache_hits_total counter',
    `cache_hits_total ${n * 3}`,
    '# HELP http_request_duration_seconds Request latency.',
    '# TYPE http_request_duration_seconds histogram',
    ...buckets,
    `http_request_duration_seconds_bucket{handler="/playlists",le="+Inf"} ${n * 7}`,
    `http_request_duration_seconds_sum{handler="/playlists"} ${n * 2}`,
    `http_request_duration_seconds_count{handler="/playlists"} ${n * 7}`,
    '',
  ].join('\n');
}

/** A batch worker: a counter without a status label, no histogram. */
const batchMetrics = (n: number) => `# TYPE jobs_processed_total counter\njobs_processed_total ${n}\n`;

describe('slo init against a real Prometheus', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-slo-init-'));
  const runbooks = path.join(dir, 'runbooks');
  let exporter: http.Server;
  let prometheus: PrometheusServer;
  let promUrl: string;

  const query = async (promql: string) => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return (await res.json()) as { status: string; data: { resultType: string; result: Array<{ metric: Record<string, string> }> }; error?: string };
  };
  const init = (args: string[]) => runHeadroomCli(['slo', 'init', '--prometheus', promUrl, ...args], { HEADROOM_RUNBOOKS_DIR: runbooks });
  const validate = (alerts: string) => runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: alerts, HEADROOM_RUNBOOKS_DIR: runbooks });

  beforeAll(async () => {
    let scrapes = 0;
    exporter = http.createServer((req, res) => {
      scrapes++;
      const body = req.url === '/batch-metrics' ? batchMetrics(scrapes) : serviceMetrics(scrapes);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
    });
    await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    prometheus = new PrometheusServer({ targets: [], jobs: [{ name: 'playlist-api', targets: [target] }, { name: 'batch-worker', targets: [target], metricsPath: '/batch-metrics' }] });
    await prometheus.start();
    promUrl = prometheus.url;
    await waitFor('both jobs scraped', async () => {
      const names = (await query('count by (job, __name__) ({job=~"playlist-api|batch-worker"})')).data.result.map((r) => `${r.metric.job}/${r.metric.__name__}`);
      return names.includes('playlist-api/http_request_duration_seconds_bucket') && names.includes('playlist-api/http_requests_total') && names.includes('batch-worker/jobs_processed_total');
    }, 30_000, 250);
  });

  afterAll(async () => {
    await prometheus?.remove();
    await new Promise((r) => exporter.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes availability and latency SLOs from the job\'s counter and histogram, which validate', async () => {
    const out = path.join(dir, 'alerts');
    const run = await init(['--job', 'playlist-api', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('availability from http_requests_total, latency from http_request_duration_seconds at 300ms, Prometheus server default');
    const file = parse(fs.readFileSync(path.join(out, 'playlist-api.yaml'), 'utf8'));
    expect(file.prometheus).toEqual([{ name: 'default', url: promUrl }]);
    const [availability, latency] = file.slos;
    expect(availability.sli.prometheus.errorQuery).toBe('sum(rate(http_requests_total{job="playlist-api",code=~"5.."}[{{window}}])) or vector(0)');
    expect(availability.sli.prometheus.totalQuery).toBe('sum(rate(http_requests_total{job="playlist-api"}[{{window}}]))');
    // 0.3 is nearer 0.25 than 0.2 is, by ratio: the bound nearest 250 ms among those exported.
    expect(latency.sli).toMatchObject({ threshold: '300ms', prometheus: { histogramMetric: 'http_request_duration_seconds', selector: '{job="playlist-api"}' } });
    expect(fs.readFileSync(path.join(runbooks, 'playlist-api.md'), 'utf8')).toContain('alerts: [playlist-api.availability, playlist-api.latency]');

    const checked = await validate(out);
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toMatch(/^ok: 2 SLOs/);

    // What it wrote runs on this Prometheus, and counts something.
    for (const promql of [availability.sli.prometheus.errorQuery, availability.sli.prometheus.totalQuery, 'sum by (le) (increase(http_request_duration_seconds_bucket{job="playlist-api"}[1m]))']) {
      const answer = await query(promql.replace('{{window}}', '1m'));
      expect(answer).toMatchObject({ status: 'success', data: { resultType: 'vector' } });
      expect(answer.data.result.length).toBeGreaterThan(0);
    }

    // Run again: the file is its own (first line), so it is rewritten, not refused.
    expect((await init(['--job', 'playlist-api', '--out', out])).code).toBe(0);
  });

  it('reuses a Prometheus server the folder already declares for that URL', async () => {
    const out = path.join(dir, 'alerts-with-server');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'prometheus.yaml'), `prometheus:\n  - name: main\n    url: ${promUrl}/\n`);
    const run = await init(['--job', 'playlist-api', '--out', out, '--service', 'playlists']);
    expect(run.code).toBe(0);
    const file = parse(fs.readFileSync(path.join(out, 'playlists.yaml'), 'utf8'));
    expect(file.prometheus).toBeUndefined();
    expect(file.slos.map((s: { sli: { prometheus: { server: string } } }) => s.sli.prometheus.server)).toEqual(['main', 'main']);
    expect((await validate(out)).code).toBe(0);
  });

  it('says what it looked for when the job has neither, and writes nothing', async () => {
    const out = path.join(dir, 'alerts-batch');
    const run = await init(['--job', 'batch-worker', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('note: no request counter for job="batch-worker": looked for *_total series with a status label (code, status_code');
    expect(run.stderr).toContain('these have none: jobs_processed_total');
    expect(run.stderr).toContain('note: no latency histogram for job="batch-worker": looked for a classic histogram in seconds (*_seconds_bucket series with le bounds)');
    expect(run.stderr).toContain('found neither a request counter nor a latency histogram for job="batch-worker": nothing written');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('names the jobs Prometheus has when the job is unknown', async () => {
    const run = await init(['--job', 'playlists', '--out', path.join(dir, 'nothing')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no series with job="playlists"');
    expect(run.stderr).toContain('the jobs Prometheus scrapes: batch-worker, playlist-api');
  });
});
