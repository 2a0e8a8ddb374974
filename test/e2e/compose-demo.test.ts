import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { composeEnv, readCompose } from '../support/compose';
import { REPO_ROOT, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';
import { freePort } from '../support/ports';

const ADMIN = 'e2e-compose-demo-admin-token-0123';
const DEMO = path.join(REPO_ROOT, 'deploy/compose');

interface SloView {
  id: string;
  source: string;
  state: string;
  noDataReason: string | null;
  evaluatedAt: string | null;
}

/**
 * The compose demo without Docker (none here): the same alerts, the same prometheus.yml and the
 * same Headroom settings as docker-compose.yml, with the compose hostnames turned into local
 * ports. A real Prometheus (Debian's) scrapes the simulated services' /metrics, Headroom's
 * Prometheus-backed SLOs query it, and the simulator's OTLP push lands on Headroom's own
 * receiver: every SLO of the demo gets data over a real path.
 */
describe('the compose demo on real Prometheus and OTLP (embedded database)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-compose-'));
  let app: HeadroomProcess;
  let prometheus: ChildProcess;
  let promUrl: string;
  let promLog = '';

  beforeAll(async () => {
    const [headroomPort, metricsPort, promPort] = [await freePort(), await freePort(), await freePort()];
    promUrl = `http://127.0.0.1:${promPort}`;
    const env = composeEnv(readCompose());
    const composePort = env.PORT;
    const composeMetricsPort = env.HEADROOM_SIMULATOR_METRICS_PORT;

    // The demo's alerts, with the compose Prometheus' address replaced by the local one.
    const alertsDir = path.join(dir, 'alerts');
    fs.mkdirSync(alertsDir);
    for (const f of fs.readdirSync(path.join(DEMO, 'alerts'))) {
      fs.writeFileSync(path.join(alertsDir, f), fs.readFileSync(path.join(DEMO, 'alerts', f), 'utf8').replaceAll('http://prometheus:9090', promUrl));
    }
    // The demo's prometheus.yml, scraping the local ports, every second so the test is quick.
    const promConfig = parse(fs.readFileSync(path.join(DEMO, 'prometheus.yml'), 'utf8'));
    promConfig.global.scrape_interval = '1s';
    for (const job of promConfig.scrape_configs) {
      job.static_configs[0].targets = job.static_configs[0].targets.map((t: string) =>
        t.replace(`headroom:${composeMetricsPort}`, `127.0.0.1:${metricsPort}`).replace(`headroom:${composePort}`, `127.0.0.1:${headroomPort}`));
    }
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(promConfig));
    prometheus = spawn('/usr/bin/prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stdout!.on('data', (d) => (promLog += d));
    prometheus.stderr!.on('data', (d) => (promLog += d));

    // docker-compose.yml's settings, but the embedded database and local addresses.
    const { DATABASE_URL: _db, HOST: _host, HEADROOM_PUBLIC_URL: _url, ...demo } = env;
    app = await startHeadroomProcess({
      ...demo,
      PORT: String(headroomPort),
      HEADROOM_DATA_DIR: path.join(dir, 'data'),
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_SIMULATOR_METRICS_PORT: String(metricsPort),
      HEADROOM_SIMULATOR_EXPORT_OTLP_URL: env.HEADROOM_SIMULATOR_EXPORT_OTLP_URL.replace(`:${composePort}/`, `:${headroomPort}/`),
      HEADROOM_SIMULATOR_EXPORT_INTERVAL_SECONDS: '2',
      HEADROOM_EVALUATION_INTERVAL_SECONDS: '2',
    });
    await waitFor('Prometheus to be ready', async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok, 30_000, 200);
  });

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await app?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const promQuery = async (q: string) => {
    const body = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    return body.data.result;
  };
  const slos = async () => (await (await fetch(`${app.url}/api/slos`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as SloView[];

  it('has Prometheus scrape the four simulated services', async () => {
    const up = await waitFor('the simulated services\' target to be up', async () => {
      const r = await promQuery('up{job="simulated-services"}');
      return r.length === 1 && r[0].value[1] === '1' ? r : null;
    }, 30_000, 250);
    expect(up).toHaveLength(1);
    const services = await waitFor('request counters of the four services', async () => {
      const r = await promQuery('sum by (service) (http_requests_total{job="simulated-services"})');
      return r.length === 4 ? r : null;
    }, 30_000, 250);
    expect(services.map((s) => s.metric.service).sort()).toEqual(['candidate-retrieval', 'feature-store', 'model-serving', 'now-playing-ranker']);
    // The latency histogram answers histogram_quantile: the ranker's median is about 60 ms.
    const [p50] = await waitFor('a ranker median', async () => {
      const r = await promQuery('histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{service="now-playing-ranker"}[1m])))');
      return r.length === 1 && Number.isFinite(Number(r[0].value[1])) ? r : null;
    }, 30_000, 500);
    expect(Number(p50.value[1])).toBeGreaterThan(0.025);
    expect(Number(p50.value[1])).toBeLessThan(0.1);
    expect(promLog).not.toMatch(/level=error/);
  });

  it('gets every SLO of the demo out of no-data, over Prometheus and over OTLP', async () => {
    const list = await waitFor('every SLO evaluated with data', async () => {
      const all = await slos();
      return all.length === 8 && all.every((s) => s.state !== 'no-data') ? all : null;
    }, 150_000, 1000).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${JSON.stringify(await slos(), null, 2)}\n${app.output().slice(-3000)}`);
    });
    expect(new Set(list.map((s) => s.source))).toEqual(new Set(['prometheus', 'otlp']));
    // Not asserted: ok. With seconds of data every window holds the same few hundred requests,
    // and one early error among them burns a 99.9% budget faster than 1x (a ticket) by chance.
    for (const s of list) expect(s.noDataReason).toBeNull();
    expect(app.output()).not.toMatch(/simulator OTLP export failed/);
  });
});
