import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * Heartbeats in the built server: a heartbeat declared in YAML is beaten with a `heartbeat`
 * integration key (the body Alertmanager sends for its Watchdog alert, or none); time runs 60x,
 * so its 5-minute interval passes in 5 seconds: a missed beat opens an incident, the next beat
 * resolves it. Wrong keys get 401, an undeclared name 404; heartbeats are declared over the API.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const KEY = 'hk_heartbeat_watchdog-0123456789abcdef';
const AM_KEY = 'hk_alertmanager_prod-0123456789abcdef';
const HEARTBEATS = `heartbeats:
  - name: alertmanager
    description: Alertmanager's Watchdog alert, delivered every minute.
    interval: 5m
    grace: 0s
`;
/** What Alertmanager posts for its always-firing Watchdog alert (webhook v4), abridged. */
const WATCHDOG = {
  version: '4', status: 'firing', receiver: 'headroom-heartbeat', groupKey: '{}:{alertname="Watchdog"}',
  groupLabels: { alertname: 'Watchdog' }, commonLabels: { alertname: 'Watchdog', severity: 'none' }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
  alerts: [{ status: 'firing', labels: { alertname: 'Watchdog', severity: 'none' }, annotations: { summary: 'An alert that should always be firing' }, startsAt: '2026-12-07T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'e5cd3b1b1ed1f2a1' }],
};

describe.each(databaseKinds())('heartbeats (real process, %s)', (kind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-heartbeats-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-heartbeats-alerts-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;

  beforeAll(async () => {
    fs.writeFileSync(path.join(alertsDir, 'heartbeats.yaml'), HEARTBEATS);
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_TIME_SCALE: '60',
      HEADROOM_EVALUATION_INTERVAL_SECONDS: '0.5',
      HEADROOM_INTEGRATION_KEYS: `heartbeat:watchdog:${KEY},alertmanager:prod:${AM_KEY}`,
      ...(db ? { DATABASE_URL: db.url } : {}),
    });
  });

  afterAll(async () => {
    await app?.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  const beat = (name: string, key: string | null = KEY, body?: unknown) =>
    fetch(`${app.url}/api/integrations/heartbeat/${name}`, {
      method: 'POST',
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const api = (method: string, p: string, body?: unknown) =>
    fetch(`${app.url}${p}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const get = async (p: string): Promise<any> => (await api('GET', p)).json();
  const heartbeatIncidents = async () => (await get(`/api/incidents?filter=${encodeURIComponent(JSON.stringify({ source: 'heartbeat' }))}`)) as Array<Record<string, unknown>>;

  it('refuses a missing or wrong key with 401 and an undeclared name with 404 naming it', async () => {
    expect((await beat('alertmanager', null)).status).toBe(401);
    expect((await beat('alertmanager', 'hk_heartbeat_wrong-0123456789abcdef')).status).toBe(401);
    // A key of another kind is not a heartbeat key.
    expect((await beat('alertmanager', AM_KEY)).status).toBe(401);
    const missing = await beat('nightly-backup');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toMatch(/heartbeat nightly-backup is not declared/);
  });

  it('takes the Watchdog webhook as a beat; a missed beat opens an incident and the next beat resolves it', async () => {
    const first = await beat('alertmanager', KEY, WATCHDOG);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ name: 'alertmanager', resolvedIncidentId: null });
    expect(await get('/api/heartbeats/alertmanager')).toMatchObject({ id: 'alertmanager', origin: 'yaml', interval: '5m', state: 'ok', beatCount: 1 });
    expect(await heartbeatIncidents()).toEqual([]);

    // No beat for 5 (simulated) minutes: missed.
    const [opened] = await waitFor('the missed-heartbeat incident', async () => {
      const list = await heartbeatIncidents();
      return list.length > 0 ? list : null;
    });
    expect(opened).toMatchObject({ service: 'alertmanager', severity: 'critical', status: 'triggered' });
    expect(String(opened.title)).toMatch(/^heartbeat alertmanager missed \(last beat at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/);
    expect((await get('/api/heartbeats')).map((h: { name: string; state: string }) => [h.name, h.state])).toEqual([['alertmanager', 'missed']]);

    // An empty body is a beat too; it resolves the incident, with a line saying so.
    const again = await beat('alertmanager');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ resolvedIncidentId: opened.id });
    const resolved = await get(`/api/incidents/${opened.id}`);
    expect(resolved.status).toBe('resolved');
    expect(resolved.timeline.map((t: { kind: string }) => t.kind)).toContain('incident.resolved');
  });

  it('declares heartbeats over the API, with 400 naming the field for a bad one', async () => {
    const bad = await api('POST', '/api/heartbeats', { name: 'cron', interval: 'often' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/interval: must be a duration/);
    const created = await api('POST', '/api/heartbeats', { name: 'cron', interval: '1h', severity: 'ticket' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'cron', origin: 'api', state: 'waiting', grace: '1m' });
    expect((await beat('cron')).status).toBe(200);
    expect((await api('PUT', '/api/heartbeats/alertmanager', { name: 'alertmanager', interval: '1h' })).status).toBe(409);
    expect((await api('DELETE', '/api/heartbeats/cron')).status).toBe(200);
    expect((await beat('cron')).status).toBe(404);
  });
});
