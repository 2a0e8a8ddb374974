import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakePrometheus } from '../fakes/fake-prometheus';
import { startHeadroomProcess, waitFor, REPO_ROOT, type HeadroomProcess } from '../support/headroom-process';

/**
 * Prometheus-backed SLOs through the built server as a real process (embedded database, no
 * simulator): the evaluator queries a fake Prometheus over HTTP with the declared credentials,
 * a burn pages and opens an incident, and a Prometheus failure shows as no-data with its reason
 * in the SLO API, without an incident.
 */
const ADMIN = 'e2e-admin-token-prometheus-0123456789';
const SVC = 'now-playing-ranker';
const EVENTS = `${SVC}.availability`;
const LATENCY = `${SVC}.latency`;
const TOKEN = 'e2e-prometheus-token';
const ERRORS = /code=~"5\.\."/;
const TOTAL = /^sum\(rate\(http_requests_total\{job="ranker"\}\[\w+\]\)\)$/;
const BUCKETS = /_bucket/;

interface SloBody {
  id: string;
  state: string;
  noDataReason: string | null;
  burnRates: Record<string, number | null>;
  evaluatedAt: string | null;
  evidence?: Record<string, unknown>;
}

describe('Prometheus-backed SLOs in the running server', () => {
  const prom = new FakePrometheus();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-prom-'));
  const alertsDir = path.join(tmp, 'alerts');
  let app: HeadroomProcess;

  const get = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${app.url}${p}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${await res.text()}\n${app.output().slice(-2000)}`);
    return (await res.json()) as T;
  };
  const slo = (id: string) => get<SloBody>(`/api/slos/${id}`);
  const stateOf = async (id: string, state: string) => {
    const s = await slo(id);
    return s.state === state ? s : null;
  };

  beforeAll(async () => {
    await prom.start();
    prom.requireAuthorization(`Bearer ${TOKEN}`);
    prom.on(ERRORS, { vector: [{ value: 0.01 }] });
    prom.on(TOTAL, { vector: [{ value: 100 }] });
    prom.on(BUCKETS, { vector: [{ metric: { le: '0.25' }, value: 999.9 }, { metric: { le: '+Inf' }, value: 1000 }] });
    fs.mkdirSync(alertsDir);
    fs.writeFileSync(path.join(tmp, 'token'), `${TOKEN}\n`);
    fs.writeFileSync(
      path.join(alertsDir, `${SVC}.yaml`),
      `service: ${SVC}
slos:
  - name: availability
    objective: 0.999
    sli:
      kind: events
      source: prometheus
      prometheus:
        errorQuery: sum(rate(http_requests_total{job="ranker",code=~"5.."}[{{window}}]))
        totalQuery: sum(rate(http_requests_total{job="ranker"}[{{window}}]))
    runbook: ${SVC}-availability.md
  - name: latency
    objective: 0.999
    sli:
      kind: latency
      source: prometheus
      threshold: 250ms
      prometheus:
        histogramMetric: http_request_duration_seconds
        selector: '{job="ranker"}'
    runbook: ${SVC}-latency.md
prometheus:
  - name: default
    url: ${prom.url}
    bearerTokenFile: ${path.join(tmp, 'token')}
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
    });
  });

  afterAll(async () => {
    await app?.stop();
    await prom.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is ok while Prometheus reports healthy traffic, queried with the bearer token at the current time', async () => {
    await waitFor('both SLOs ok', async () => {
      const all = await get<SloBody[]>('/api/slos');
      return all.length === 2 && all.every((s) => s.state === 'ok');
    });
    const events = await slo(EVENTS);
    expect(events.noDataReason).toBeNull();
    expect(events.burnRates['1h']).toBeCloseTo(0.1, 6);
    expect(prom.requests.length).toBeGreaterThanOrEqual(24);
    expect(new Set(prom.requests.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
    const skew = Math.abs(Number(prom.requests.at(-1)!.time) - Date.now() / 1000);
    expect(skew).toBeLessThan(30);
    expect(prom.queries()).toContain('sum by (le) (increase(http_request_duration_seconds_bucket{job="ranker"}[30d]))');
    expect(await get<unknown[]>('/api/incidents')).toEqual([]);
  });

  it('pages on a high error ratio and opens one incident for the SLO', async () => {
    prom.on(ERRORS, { vector: [{ metric: { code: '500' }, value: 40 }] });
    const paged = await waitFor('the availability SLO to page', () => stateOf(EVENTS, 'page'));
    expect(paged.burnRates['5m']).toBeCloseTo(400, 6);
    const incidents = await waitFor('an incident', async () => {
      const list = await get<Array<{ sloId: string; source: string; status: string; service: string }>>('/api/incidents');
      return list.length > 0 ? list : null;
    });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ sloId: EVENTS, source: 'slo', status: 'triggered', service: SVC });
  });

  it('shows no-data with the reason, and opens no incident, when Prometheus fails for an SLO', async () => {
    prom.on(BUCKETS, { httpStatus: 503, body: 'Service Unavailable' });
    const broken = await waitFor('the latency SLO in no-data', () => stateOf(LATENCY, 'no-data'));
    expect(broken.noDataReason).toMatch(/^default: http_request_duration_seconds_bucket \[5m\]: HTTP 503: Service Unavailable/);
    expect(broken.evidence?.error).toBe(broken.noDataReason);
    const listed = (await get<SloBody[]>('/api/slos')).find((s) => s.id === LATENCY)!;
    expect(listed).toMatchObject({ state: 'no-data', noDataReason: broken.noDataReason });

    prom.on(BUCKETS, { vector: [{ metric: { le: '0.25' }, value: 1 }, { metric: { le: '+Inf' }, value: 1000 }], delayMs: 5_000 });
    const slow = await waitFor('a timeout reason', async () => {
      const s = await slo(LATENCY);
      return s.noDataReason?.includes('no answer within 2s') ? s : null;
    });
    expect(slow.state).toBe('no-data');

    prom.on(BUCKETS, { vector: [] });
    await waitFor('an empty-vector reason', async () => (await slo(LATENCY)).noDataReason?.includes('no series matched (empty vector)'));

    // The would-be page (99.9% slow requests) was never read: no incident for the latency SLO.
    const incidents = await get<Array<{ sloId: string }>>('/api/incidents');
    expect(incidents.map((i) => i.sloId)).toEqual([EVENTS]);
    expect((await slo(EVENTS)).state).toBe('page');
  });
});
