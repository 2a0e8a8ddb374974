import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeSlack } from '../fakes/fake-slack';
import { startHeadroomProcess, waitFor, REPO_ROOT, type HeadroomProcess } from '../support/headroom-process';
import { KnownRateExporter } from '../support/known-rate-exporter';
import { PrometheusServer } from '../support/prometheus-server';

/**
 * Prometheus-backed SLOs through the built server as a real process (embedded database, no
 * simulator) and Debian's Prometheus scraping a service with known rates: the puller backfills
 * and pulls on its own schedule, the latency SLO's burst pages in Slack with the p50/p90/p99
 * read from the pulled buckets, the SLO API shows the pull's progress, and a Prometheus outage
 * shows as no-data with the reason in the API, without a new incident.
 */
const ADMIN = 'e2e-admin-token-prometheus-0123456789';
const SVC = 'now-playing-ranker';
const EVENTS = `${SVC}.availability`;
const LATENCY = `${SVC}.latency`;
const CHANNEL = 'C0ONCALL';
const MINUTE = 60_000;

interface SloBody {
  id: string;
  state: string;
  noDataReason: string | null;
  burnRates: Record<string, number | null>;
  pull: Array<{ backfillPercent: number; caughtUpAt: string | null; lastError: string | null; query: string }> | null;
}

describe('Prometheus-backed SLOs in the running server, on a real Prometheus', () => {
  const now = Date.now();
  const exporter = new KnownRateExporter(now - 2 * 86_400_000, now - 8 * MINUTE);
  const slack = new FakeSlack();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-prom-'));
  const alertsDir = path.join(tmp, 'alerts');
  let prometheus: PrometheusServer;
  let app: HeadroomProcess;

  const get = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${app.url}${p}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${await res.text()}\n${app.output().slice(-2000)}`);
    return (await res.json()) as T;
  };
  const slo = (id: string) => get<SloBody>(`/api/slos/${id}`);
  const pages = () => slack.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);

  beforeAll(async () => {
    await slack.start();
    await exporter.start();
    prometheus = new PrometheusServer({ targets: [`127.0.0.1:${exporter.port}`] });
    await prometheus.backfill(exporter.openMetricsHistory(now - 86_400_000 - 3_600_000, Date.now() - 15_000, 60, `job="ranker",instance="127.0.0.1:${exporter.port}"`));
    await prometheus.start();
    await prometheus.waitFor('up{job="ranker"} == 1');
    fs.mkdirSync(alertsDir);
    fs.writeFileSync(
      path.join(alertsDir, `${SVC}.yaml`),
      `service: ${SVC}
slos:
  - name: availability
    objective: 0.99
    period: 1d
    sli:
      kind: events
      source: prometheus
      prometheus:
        errorQuery: sum(rate(http_requests_total{job="ranker",code=~"5.."}[{{window}}]))
        totalQuery: sum(rate(http_requests_total{job="ranker"}[{{window}}]))
    alerting:
      page: false
      windows:
        - { severity: page, long: 1h, short: 5m, budgetShare: 0.1 }
        - { severity: ticket, long: 6h, short: 30m, budgetShare: 0.5 }
    runbook: ${SVC}-availability.md
  - name: latency
    objective: 0.999
    period: 1d
    sli:
      kind: latency
      source: prometheus
      threshold: 250ms
      prometheus:
        histogramMetric: http_request_duration_seconds
        selector: '{job="ranker"}'
    alerting:
      windows:
        - { severity: page, long: 1h, short: 5m, budgetShare: 0.1 }
    runbook: ${SVC}-latency.md
prometheus:
  - name: default
    url: ${prometheus.url}
    timeout: 2s
`,
    );
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: path.join(tmp, 'data'),
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks'),
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_EVALUATION_INTERVAL_SECONDS: '1',
      HEADROOM_PROMETHEUS_PULL_INTERVAL_SECONDS: '1',
      HEADROOM_OUTBOX_POLL_MS: '200',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'e2e-signing-secret',
      SLACK_CHANNEL: CHANNEL,
      SLACK_API_URL: slack.url,
    });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await prometheus?.remove();
    await exporter.stop();
    await slack.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('backfills the period, then pages the latency burst in Slack with the quantiles of the pulled buckets', async () => {
    const page = await waitFor('the latency page in Slack', () => pages()[0], 60_000);
    expect(page.body.channel).toBe(CHANNEL);
    const text = JSON.stringify(page.body.blocks);
    expect(text).toContain(LATENCY.split('.')[1]);
    // 30% of requests over 250 ms: p50 under 100 ms, p99 in the 1 s–+Inf bucket (its lower bound).
    expect(text).toMatch(/p50: \d+ ms · p90: [\d.]+ (ms|s) · p99: 1\.00 s \(threshold 250 ms\)/);
    expect(pages()).toHaveLength(1);

    const latency = await slo(LATENCY);
    expect(latency.state).toBe('page');
    expect(latency.pull).toHaveLength(1);
    expect(latency.pull![0]).toMatchObject({ backfillPercent: 100, lastError: null, query: 'sum by (le) (rate(http_request_duration_seconds_bucket{job="ranker"}[{{window}}]))' });
    expect(latency.pull![0].caughtUpAt).not.toBeNull();
    // The events SLO burns too (20% failing) but pages nobody: its alerting says so.
    const events = await slo(EVENTS);
    expect(events.state).not.toBe('no-data');
    // (Only its ticket windows are read: 20% failing for the last ~10 of 30 minutes.)
    expect(events.burnRates['30m']).toBeGreaterThan(2);
    const incidents = await get<Array<{ sloId: string; status: string }>>('/api/incidents');
    expect(incidents.map((i) => [i.sloId, i.status])).toEqual([[LATENCY, 'triggered']]);

    const panel = await get<{ quantiles: Array<{ q: number; value: number | null }>; buckets: Array<{ le: number | string; count: number }> }>(`/api/slos/${LATENCY}/latency?window=5m&q=0.5,0.99`);
    expect(panel.buckets.map((b) => b.le)).toEqual([0.1, 0.25, 1, '+Inf']);
    // 6,000 requests a minute; the window holds the whole minutes pulled so far (at least two).
    expect(panel.buckets.at(-1)!.count).toBeGreaterThanOrEqual(12_000);
  }, 90_000);

  it('shows no-data with the reason while Prometheus is down, opening nothing, and recovers when it is back', async () => {
    await prometheus.stop();
    // The puller asks Prometheus once a minute has completed: the outage shows within a minute.
    const down = await waitFor('the latency SLO in no-data', async () => {
      const s = await slo(LATENCY);
      return s.state === 'no-data' ? s : null;
    }, 90_000, 500);
    expect(down.noDataReason).toMatch(/^default: .*(ECONNREFUSED|connect)/);
    expect(down.pull![0].lastError).toMatch(/ECONNREFUSED|connect/);
    expect((await get<unknown[]>('/api/incidents')).length).toBe(1);

    await prometheus.start();
    await waitFor('the latency SLO read again', async () => (await slo(LATENCY)).state === 'page', 90_000, 500);
    expect(pages()).toHaveLength(1);
  }, 240_000);
});
