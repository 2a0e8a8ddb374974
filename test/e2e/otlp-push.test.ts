import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeStatus } from '../../server/src/sources/otlp/otlp-proto';
import { FakeSlack } from '../fakes/fake-slack';
import { FakeInstrumentedService } from '../fakes/otlp-service';
import { REPO_ROOT, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * OTLP/HTTP push end to end, on the embedded database with the built server as a real process:
 * a fake instrumented service records with the OpenTelemetry SDK and pushes through the official
 * exporters (JSON and protobuf, gzip too); the OTLP-backed SLOs read what was stored; bad input is
 * refused with the reason and stores nothing; pushed errors page in (fake) Slack, and the push →
 * page latency is measured. Scheduled evaluation is set to once an hour, so only the evaluation
 * that runs right after an ingest batch can produce that page.
 */
const ADMIN = 'e2e-otlp-admin-token-0123456789';
const SECRET = 'e2e-signing-secret';
const CHANNEL = 'C0ONCALL';
const SERVICE = 'now-playing-ranker';
const ROUTE = { 'http.route': '/v1/now-playing' };
const LIMIT = 1024 * 1024;

const ALERTS = `service: ${SERVICE}
slos:
  - name: availability
    objective: 0.999
    sli:
      kind: events
      source: otlp
      otlp:
        total: { metric: http.server.requests }
        bad: { metric: http.server.requests, attributes: { http.response.status_code: 500 } }
    runbook: now-playing-ranker-availability.md
  - name: latency
    objective: 0.99
    sli:
      kind: latency
      source: otlp
      threshold: 250ms
      otlp:
        histogram: { metric: http.server.request.duration }
    runbook: now-playing-ranker-latency.md
`;

interface SloDetail {
  state: string;
  evaluatedAt: string | null;
  burnRates: Record<string, number | null>;
  evidence: { events?: Record<string, { good: number; total: number } | null> };
}

describe('OTLP/HTTP metrics push (embedded database, real process)', () => {
  const slack = new FakeSlack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-otlp-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-otlp-alerts-'));
  let app: HeadroomProcess;
  let key: string;
  const services: FakeInstrumentedService[] = [];

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const slo = async (id: string): Promise<SloDetail> => (await api(`/api/slos/${id}`)).json() as Promise<SloDetail>;
  const post = (body: Buffer, headers: Record<string, string>) => fetch(`${app.url}/v1/metrics`, { method: 'POST', body, headers: { authorization: `Bearer ${key}`, ...headers } });
  const pages = () => slack.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);
  /** Waits for the evaluation that follows a push (polling the light list, not the detail with its charts), then returns the SLO. */
  const evaluatedAfter = async (id: string, before: string | null) => {
    await waitFor(`an evaluation of ${id}`, async () => {
      const [s] = (await (await api(`/api/slos?filter=${encodeURIComponent(JSON.stringify({ id }))}`)).json()) as SloDetail[];
      return s?.evaluatedAt && s.evaluatedAt !== before;
    }, 20_000, 100);
    return slo(id);
  };
  const fake = (opts: ConstructorParameters<typeof FakeInstrumentedService>[0]) => {
    const s = new FakeInstrumentedService(opts);
    services.push(s);
    return s;
  };

  beforeAll(async () => {
    fs.writeFileSync(path.join(alertsDir, `${SERVICE}.yaml`), ALERTS);
    await slack.start();
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks'),
      HEADROOM_EVALUATION_INTERVAL_SECONDS: '3600',
      HEADROOM_OUTBOX_POLL_MS: '200',
      HEADROOM_OTLP_MAX_BODY_BYTES: String(LIMIT),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_CHANNEL: CHANNEL,
      SLACK_API_URL: slack.url,
    });
    const res = await api('/api/integrations', { method: 'POST', body: JSON.stringify({ name: 'ranker pods', kind: 'otlp' }) });
    expect(res.status).toBe(201);
    key = ((await res.json()) as { key: string }).key;
  });

  afterAll(async () => {
    for (const s of services) await s.shutdown();
    await app?.stop();
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  it('refuses bad input with a 4xx and the reason, and stores nothing', async () => {
    const svc = fake({ serviceName: SERVICE });
    svc.meter.createCounter('http.server.requests').add(1000, { ...ROUTE, 'http.response.status_code': 500 });
    const body = await svc.body('protobuf');
    const protobuf = { 'content-type': 'application/x-protobuf' };

    // A bad key (Status in the request's encoding), and no key at all.
    const badKey = await fetch(`${app.url}/v1/metrics`, { method: 'POST', body, headers: { ...protobuf, authorization: 'Bearer hk_otlp_not-a-key' } });
    expect(badKey.status).toBe(401);
    expect(badKey.headers.get('content-type')).toBe('application/x-protobuf');
    expect(decodeStatus(new Uint8Array(await badKey.arrayBuffer()))).toEqual({ code: 16, message: 'invalid or revoked otlp integration key' });
    const noKey = await fetch(`${app.url}/v1/metrics`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { message: string }).message).toMatch(/integration key is required/);

    const wrongType = await post(body, { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { message: string }).message).toBe('Content-Type must be application/x-protobuf or application/json (got text/plain)');

    const truncated = await post(body.subarray(0, body.length - 9), protobuf);
    expect(truncated.status).toBe(400);
    expect(decodeStatus(new Uint8Array(await truncated.arrayBuffer())).message).toMatch(/^invalid protobuf ExportMetricsServiceRequest: /);

    const huge = await post(Buffer.alloc(LIMIT + 1, 1), protobuf);
    expect(huge.status).toBe(413);
    expect(decodeStatus(new Uint8Array(await huge.arrayBuffer())).message).toMatch(/larger than the 1 MB limit/);
    // Small on the wire, too big once inflated.
    const bomb = await post(gzipSync(Buffer.alloc(4 * LIMIT)), { ...protobuf, 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    expect(decodeStatus(new Uint8Array(await bomb.arrayBuffer())).message).toMatch(/^decompressed request body larger/);

    const t = String(Date.now() * 1e6);
    const nan = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
          scopeMetrics: [{ metrics: [{ name: 'http.server.requests', sum: { isMonotonic: true, aggregationTemporality: 1, dataPoints: [{ startTimeUnixNano: t, timeUnixNano: t, asDouble: 'NaN' }] } }] }],
        },
      ],
    };
    const nanRes = await post(Buffer.from(JSON.stringify(nan)), { 'content-type': 'application/json' });
    expect(nanRes.status).toBe(400);
    expect(await nanRes.json()).toMatchObject({ code: 3, statusCode: 400, message: `1 data point rejected: ${SERVICE} http.server.requests: value is NaN` });

    // None of it reached the store: nothing was evaluated, the SLOs have no data.
    expect((await slo(`${SERVICE}.availability`)).state).toBe('no-data');
    expect((await slo(`${SERVICE}.availability`)).evaluatedAt).toBeNull();
  });

  it('stores a counter and a histogram pushed by the SDK exporters (JSON, then gzip protobuf) and shows them in the SLOs', async () => {
    const svc = fake({ serviceName: SERVICE, instanceId: 'pod-a', boundaries: [0.05, 0.1, 0.25, 0.5, 1] });
    const requests = svc.meter.createCounter('http.server.requests');
    const duration = svc.meter.createHistogram('http.server.request.duration', { unit: 's' });
    requests.add(5000, { ...ROUTE, 'http.response.status_code': 200 });
    for (let i = 0; i < 1000; i++) duration.record(i % 100 === 0 ? 0.7 : 0.04, ROUTE);

    const before = (await slo(`${SERVICE}.availability`)).evaluatedAt;
    expect(await svc.push(`${app.url}/v1/metrics`, key, 'json')).toEqual({ code: 0 });
    let availability = await evaluatedAfter(`${SERVICE}.availability`, before);
    expect(availability.evidence.events?.['5m']).toEqual({ good: 5000, total: 5000 });
    expect(availability.state).toBe('ok');
    const latency = await slo(`${SERVICE}.latency`);
    expect(latency.evidence.events?.['5m']).toEqual({ good: 990, total: 1000 });
    expect(latency.burnRates['5m']).toBeCloseTo(1, 6);

    // The next cumulative export through the protobuf exporter, gzip-compressed: only increases count.
    requests.add(3000, { ...ROUTE, 'http.response.status_code': 200 });
    requests.add(2, { ...ROUTE, 'http.response.status_code': 500 });
    expect(await svc.push(`${app.url}/v1/metrics`, key, 'protobuf', { gzip: true })).toEqual({ code: 0 });
    availability = await evaluatedAfter(`${SERVICE}.availability`, availability.evaluatedAt);
    expect(availability.evidence.events?.['5m']).toEqual({ good: 8000, total: 8002 });
    expect(availability.burnRates['5m']).toBeCloseTo((2 / 8002) / 0.001, 6);
    expect(availability.state).toBe('ok');
    expect(pages()).toHaveLength(0);
  });

  it('pages end to end when pushed errors burn the SLO, within a second of the push', async () => {
    // Another pod of the service starts, and most of its requests fail.
    const svc = fake({ serviceName: SERVICE, instanceId: 'pod-b' });
    const requests = svc.meter.createCounter('http.server.requests');
    requests.add(400, { ...ROUTE, 'http.response.status_code': 200 });
    requests.add(600, { ...ROUTE, 'http.response.status_code': 500 });
    const pushedAt = Date.now();
    expect(await svc.push(`${app.url}/v1/metrics`, key, 'protobuf')).toEqual({ code: 0 });
    const answeredAt = Date.now();
    await waitFor('the page in Slack', () => pages().length > 0, 20_000, 5);
    const page = pages()[0];
    const seconds = (page.at - pushedAt) / 1000;
    fs.mkdirSync(path.join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(
      path.join(REPO_ROOT, 'test-artifacts', 'e2e-otlp-push-to-page.json'),
      JSON.stringify({ pushToPageSeconds: seconds, pushAnsweredSeconds: (answeredAt - pushedAt) / 1000 }, null, 2),
    );
    process.stdout.write(`OTLP push → Slack page: ${seconds.toFixed(3)} s (push answered in ${((answeredAt - pushedAt) / 1000).toFixed(3)} s)\n`);
    expect(seconds).toBeLessThan(3); // target ≤ 1 s; the margin is for a loaded 2-core machine

    expect(JSON.stringify(page.body.blocks)).toContain(`${SERVICE}.availability`);
    const availability = await slo(`${SERVICE}.availability`);
    expect(availability.state).toBe('page');
    expect(availability.evidence.events?.['5m']).toEqual({ good: 8400, total: 9002 });
    // Pages only: the latency SLO burns at about 1× (10 slow of 1000), which may hold its 3d/6h
    // ticket pair and open a ticket, an incident nobody is paged for (docs/incidents.md, Tickets).
    const incidents = (await (await api('/api/incidents?filter={"status":"triggered","urgency":"page"}')).json()) as Array<{ sloId: string; service: string }>;
    expect(incidents.map((i) => i.sloId)).toEqual([`${SERVICE}.availability`]);
  });
});
