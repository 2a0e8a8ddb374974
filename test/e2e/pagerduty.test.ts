import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * PagerDuty Events API v2 semantics, case by case, against the built server: what a tool that
 * pages PagerDuty sees when only the URL changes to Headroom's.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const AM_KEY = 'hk_alertmanager_e2e-0123456789abcdef';
const FIXTURES = path.resolve(__dirname, '../fixtures/pagerduty');
const REPO_ALERTS = path.resolve(__dirname, '../../alerts/routes.yaml');

type Json = Record<string, unknown>;

describe.each(databaseKinds())('PagerDuty Events API v2 (real process, %s)', (kind) => {
  const slack = new FakeSlack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-pd-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-pd-alerts-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;
  let routingKey: string;

  beforeAll(async () => {
    await slack.start();
    // The shipped routes: PagerDuty events group by dedup_key and their resolve resolves.
    fs.copyFileSync(REPO_ALERTS, path.join(alertsDir, 'routes.yaml'));
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_OUTBOX_POLL_MS: '100',
      HEADROOM_INTEGRATION_KEYS: `alertmanager:prod-alertmanager:${AM_KEY}`,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'e2e-signing-secret',
      SLACK_CHANNEL: 'C0ONCALL',
      SLACK_API_URL: slack.url,
      ...(db ? { DATABASE_URL: db.url } : {}),
    });
  });

  afterAll(async () => {
    await app?.stop();
    await slack.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();
  const event = (name: string, overrides: Json = {}): Json => ({ ...JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')), routing_key: routingKey, ...overrides });
  const enqueue = (body: unknown, raw?: string) =>
    fetch(`${app.url}/api/integrations/pagerduty/v2/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const incidents = async (): Promise<any[]> => json(api('/api/incidents?range=[0,99]'));
  const pages = () => slack.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);

  it('takes a routing key an admin created (shown once) with POST /api/integrations', async () => {
    const created = await api('/api/integrations', { method: 'POST', body: JSON.stringify({ name: 'grafana', kind: 'pagerduty' }) });
    expect(created.status).toBe(201);
    routingKey = (await json(created)).key;
    expect(routingKey).toMatch(/^hk_pagerduty_/);
  });

  it('trigger: 202 {status, message, dedup_key} once stored, and one page', async () => {
    const res = await enqueue(event('trigger.json'));
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'feature-store/latency/p99' });
    const [incident] = await incidents();
    expect(incident).toMatchObject({
      source: 'pagerduty', service: 'feature-store', severity: 'error', status: 'triggered', title: 'feature-store p99 latency 480 ms on fs-2',
      route: 'pagerduty', runbookUrl: 'https://runbooks.example.com/feature-store/latency',
    });
    const detail = await json(api(`/api/incidents/${incident.id}`));
    expect(JSON.stringify(detail)).not.toContain(routingKey);
    expect(detail.alerts[0].payload).toMatchObject({ links: expect.any(Array), images: expect.any(Array), payload: { custom_details: { 'p99 seconds': 0.48 } } });
    await waitFor('the page', () => pages().length === 1);
  });

  it('a repeated trigger for the same dedup_key adds to the open incident without paging', async () => {
    expect((await enqueue(event('trigger.json'))).status).toBe(202);
    const list = await incidents();
    expect(list).toHaveLength(1);
    expect(list[0].alertCount).toBe(2);
    await new Promise((r) => setTimeout(r, 400));
    expect(pages()).toHaveLength(1);
  });

  it('a trigger without dedup_key gets one generated and returned, and always a new incident', async () => {
    const a = await json(enqueue(event('trigger-without-dedup-key.json')));
    const b = await json(enqueue(event('trigger-without-dedup-key.json')));
    expect(a).toMatchObject({ status: 'success', dedup_key: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(b.dedup_key).not.toBe(a.dedup_key);
    expect((await incidents()).filter((i: Json) => i.service === 'model-serving')).toHaveLength(2);
  });

  it('acknowledge, then resolve, by dedup_key; the actor is the integration', async () => {
    expect((await enqueue(event('acknowledge.json'))).status).toBe(202);
    let [incident] = (await incidents()).filter((i: Json) => i.service === 'feature-store');
    expect(incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'grafana' });
    expect(await json(enqueue(event('resolve.json')))).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'feature-store/latency/p99' });
    [incident] = (await incidents()).filter((i: Json) => i.service === 'feature-store');
    expect(incident).toMatchObject({ status: 'resolved', resolvedBy: 'grafana' });
    const audit = await json(api(`/api/audit?filter=${encodeURIComponent(JSON.stringify({ entityId: String(incident.id) }))}&sort=["id","ASC"]`));
    expect(audit.map((a: Json) => [a.action, a.actorType, a.actorName])).toEqual([
      ['incident.triggered', 'integration', 'grafana'],
      ['incident.acknowledged', 'integration', 'grafana'],
      ['incident.resolved', 'integration', 'grafana'],
    ]);
  });

  it('acknowledge or resolve for a closed incident is accepted and dropped; a new trigger opens a new incident', async () => {
    const before = JSON.stringify(await incidents());
    expect((await enqueue(event('acknowledge.json'))).status).toBe(202);
    expect((await enqueue(event('resolve.json'))).status).toBe(202);
    expect((await enqueue(event('resolve.json', { dedup_key: 'never-triggered' }))).status).toBe(202);
    expect(JSON.stringify(await incidents())).toBe(before);
    await enqueue(event('trigger.json'));
    expect((await incidents()).filter((i: Json) => i.service === 'feature-store').map((i: Json) => i.status)).toEqual(['triggered', 'resolved']);
  });

  it('invalid events: 400 with the errors, oversize: 413, bad keys: 400; nothing stored, never a 5xx', async () => {
    const before = JSON.stringify(await incidents());
    const count = (await incidents()).length;
    const invalid = async (body: unknown, raw?: string) => {
      const res = await enqueue(body, raw);
      return { status: res.status, body: await json(res) };
    };
    expect(await invalid({ routing_key: routingKey, event_action: 'trigger' })).toEqual({
      status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ['payload: is required for a trigger event'] },
    });
    expect((await invalid(event('trigger.json', { payload: { summary: 7, source: 'x', severity: 'bad' } }))).body.errors.sort()).toEqual([
      'payload.severity: must be one of critical, error, warning, info',
      'payload.summary: is missing or not a string',
    ]);
    expect((await invalid(event('resolve.json', { dedup_key: undefined }))).body.errors).toEqual(['dedup_key: is required for an resolve event']);
    expect((await invalid(event('trigger.json', { event_action: 'escalate' }))).body.errors).toEqual(['event_action: must be trigger, acknowledge or resolve']);
    expect(await invalid(event('trigger.json', { routing_key: 'hk_pagerduty_not-a-key-0123456789' }))).toMatchObject({ status: 400, body: { errors: [expect.stringMatching(/^routing_key: no active pagerduty integration/)] } });
    expect((await invalid(event('trigger.json', { routing_key: AM_KEY }))).status).toBe(400);
    expect((await invalid(event('trigger.json', { routing_key: undefined }))).body.errors).toEqual(['routing_key: is missing or not a string']);
    const clean = await enqueue(event('trigger.json', { dedup_key: 'nul\u0000key', payload: { summary: 'odd \uDC00 text \u0000', source: 'h\u0000', severity: 'info' } }));
    expect(await json(clean)).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'nulkey' });
    await enqueue(event('resolve.json', { dedup_key: 'nulkey' }));
    const malformed = await enqueue(null, '{"routing_key": ');
    expect(malformed.status).toBe(400);
    const big = event('trigger.json', { payload: { ...(event('trigger.json').payload as Json), custom_details: { blob: 'x'.repeat(600 * 1024) } } });
    expect(await invalid(big)).toMatchObject({ status: 413, body: { status: 'invalid event', errors: [expect.stringMatching(/limited to 512 KB/)] } });
    const huge = await enqueue(null, JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    // Only the cleaned event (opened and resolved above) was stored.
    const after = await incidents();
    expect(after).toHaveLength(count + 1);
    expect(JSON.stringify(after.slice(1))).toBe(before);
  });

  it('a revoked key stops working', async () => {
    const [key] = (await json(api('/api/integrations'))).filter((k: Json) => k.name === 'grafana');
    expect((await api(`/api/integrations/${key.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await enqueue(event('trigger.json'))).status).toBe(400);
  });

  it('never answered with a 5xx', () => {
    expect(app.output()).not.toMatch(/"res":\{"statusCode":5/);
  });
});
