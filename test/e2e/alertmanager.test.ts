import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * Alertmanager webhooks into the built server, on the embedded database and (with
 * DATABASE_URL) on a real PostgreSQL: real v4 payloads captured from Alertmanager 0.25
 * (test/fixtures/alertmanager), bad input, 50 concurrent copies, grouping without a second
 * page, resolution, silences, the audit log and the postmortem.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const AM_KEY = 'hk_alertmanager_e2e-0123456789abcdef';
const PD_KEY = 'hk_pagerduty_e2e-0123456789abcdef';
const FIXTURES = path.resolve(__dirname, '../fixtures/alertmanager');
const ROUTES = `routes:
  - name: feature-store
    match: ['service="feature-store"']
    autoResolve: true
`;

type Json = Record<string, unknown>;
const fixture = (name: string): Json => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

describe.each(databaseKinds())('Alertmanager receiver (real process, %s)', (kind) => {
  const slack = new FakeSlack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-am-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-am-alerts-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;

  beforeAll(async () => {
    await slack.start();
    fs.writeFileSync(path.join(alertsDir, 'routes.yaml'), ROUTES);
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_OUTBOX_POLL_MS: '100',
      HEADROOM_INTEGRATION_KEYS: `alertmanager:prod-alertmanager:${AM_KEY},pagerduty:grafana:${PD_KEY}`,
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
  const get = async (p: string): Promise<any> => (await api(p)).json();
  const post = (body: unknown, auth: string | null = `Bearer ${AM_KEY}`, raw?: string) =>
    fetch(`${app.url}/api/integrations/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: raw ?? JSON.stringify(body),
    });
  /** A body sent in chunks, with no Content-Length (the limit is checked as it is read). */
  const chunked = (text: string) => {
    const bytes = Buffer.from(text);
    const body = new ReadableStream({
      start(c) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) c.enqueue(bytes.subarray(i, i + 64 * 1024));
        c.close();
      },
    });
    return fetch(`${app.url}/api/integrations/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_KEY}` }, body, duplex: 'half' } as RequestInit);
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();
  const pages = () => slack.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const incidents = async (filter: Json = {}): Promise<any[]> => get(`/api/incidents?filter=${encodeURIComponent(JSON.stringify(filter))}&range=[0,99]`);
  /** An alert for the 50-copies test, on its own group. */
  const single = (alertname: string, labels: Json = {}) => {
    const body = fixture('firing.json') as { alerts: Array<{ labels: Json; fingerprint?: string }>; groupKey: string };
    body.alerts[0].labels = { ...body.alerts[0].labels, alertname, service: 'model-serving', severity: 'critical', ...labels };
    delete body.alerts[0].fingerprint;
    return body;
  };

  it('refuses bad keys and bad input with a 4xx that names the problem, and stores nothing', async () => {
    const cases: Array<[string, Promise<Response>, number, RegExp]> = [
      ['no key', post(fixture('firing.json'), null), 401, /integration key is required/],
      ['wrong key', post(fixture('firing.json'), 'Bearer hk_alertmanager_nope-0123456789'), 401, /invalid or revoked alertmanager integration key/],
      ['a pagerduty key', post(fixture('firing.json'), `Bearer ${PD_KEY}`), 401, /invalid or revoked alertmanager/],
      ['an admin API token', post(fixture('firing.json'), `Bearer ${ADMIN}`), 401, /invalid or revoked alertmanager/],
      ['malformed JSON', post(null, `Bearer ${AM_KEY}`, '{"alerts": [}'), 400, /JSON/],
      ['missing alerts', post({ version: '4', status: 'firing' }), 400, /alerts: required: the list of alerts/],
      ['wrong types', post({ alerts: [{ status: 'burning', labels: { alertname: 5 }, startsAt: 'soon' }] }), 400, /alerts\.0\.status: must be firing or resolved/],
      ['oversize body', post(null, `Bearer ${AM_KEY}`, JSON.stringify({ alerts: [], pad: 'x'.repeat(1_100_000) })), 413, /too large/],
      ['oversize body without a length', chunked(JSON.stringify({ alerts: [], pad: 'x'.repeat(1_100_000) })), 413, /too large/],
      ['not an object', post(null, `Bearer ${AM_KEY}`, 'null'), 400, /Unexpected token 'n'.*is not valid JSON/],
    ];
    for (const [what, response, status, message] of cases) {
      const res = await response;
      const text = await res.text();
      expect({ what, status: res.status }).toEqual({ what, status });
      expect(text).toMatch(message);
    }
    const typed = await json(post({ alerts: [{ status: 'burning', labels: {}, startsAt: 'soon' }] }));
    expect(typed.issues.map((i: { field: string }) => i.field).sort()).toEqual(['alerts.0.labels', 'alerts.0.startsAt', 'alerts.0.status']);
    expect(await incidents()).toEqual([]);
  });

  it('opens one incident per group from real payloads (bearer and basic auth) and pages once each', async () => {
    const res = await post(fixture('grouped-firing.json'));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: 'success', received: 2, outcomes: [{ outcome: 'opened' }, { outcome: 'grouped' }] });
    const basic = `Basic ${Buffer.from(`alertmanager:${AM_KEY}`).toString('base64')}`;
    expect((await post(fixture('firing-newer-fields.json'), basic)).status).toBe(200);
    await waitFor('two pages', () => pages().length === 2);
    const list = await incidents();
    expect(list.map((i: Json) => [i.service, i.source, i.severity, i.status, i.alertCount])).toEqual([
      ['feature-store', 'alertmanager', 'warning', 'triggered', 1],
      ['now-playing-ranker', 'alertmanager', 'critical', 'triggered', 2],
    ]);
    const ranker = await get(`/api/incidents/${list[1].id}`);
    expect(ranker).toMatchObject({
      title: 'now-playing-ranker is failing 7% of requests',
      runbookUrl: 'https://runbooks.example.com/now-playing-ranker/errors',
      labels: { alertname: 'RankerHighErrorRate', service: 'now-playing-ranker' },
      evidence: { description: '5xx ratio over 5m is 0.07 on ranker-0 (threshold 0.02).' },
    });
    expect(ranker.alerts).toHaveLength(2);
    expect(ranker.timeline[0]).toMatchObject({ kind: 'incident.triggered', actorType: 'integration', actorName: 'prod-alertmanager' });
    const alerts = await api(`/api/incidents/${list[1].id}/alerts?sort=["lastReceivedAt","DESC"]`);
    expect(alerts.headers.get('content-range')).toBe('alerts 0-1/2');
  });

  it('50 copies of the same alert posted at once: one incident, 50 alerts counted, one page', async () => {
    const before = pages().length;
    const body = single('ModelServingOOM');
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const [incident] = await incidents({ service: 'model-serving' });
    expect(incident).toMatchObject({ alertCount: 50, status: 'triggered' });
    const detail = await get(`/api/incidents/${incident.id}`);
    expect(detail.alerts).toEqual([expect.objectContaining({ count: 50, status: 'firing' })]);
    await waitFor('the page', () => pages().length === before + 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(pages()).toHaveLength(before + 1);
  });

  it('adds a new alert to an acknowledged incident without paging again', async () => {
    const [ranker] = await incidents({ service: 'now-playing-ranker' });
    expect((await api(`/api/incidents/${ranker.id}/acknowledge`, { method: 'POST' })).status).toBe(200);
    const before = pages().length;
    const body = fixture('grouped-firing.json') as { alerts: Array<{ labels: Json; fingerprint: string }> };
    body.alerts = [{ ...body.alerts[0], labels: { ...body.alerts[0].labels, instance: 'ranker-7:9090' }, fingerprint: 'ranker7fingerprint' }];
    const res = await post(body);
    expect((await json(res)).outcomes).toEqual([{ key: 'ranker7fingerprint', outcome: 'grouped', incidentId: ranker.id }]);
    await new Promise((r) => setTimeout(r, 500));
    expect(pages()).toHaveLength(before);
    const detail = await get(`/api/incidents/${ranker.id}`);
    expect(detail).toMatchObject({ status: 'acknowledged', alertCount: 3 });
    expect(detail.timeline.map((t: Json) => t.kind)).toContain('incident.alert-grouped');
  });

  it('handles a mixed payload; an incident resolves once the source resolved all its alerts, on the default route and on the feature-store route', async () => {
    expect((await json(post(fixture('mixed.json')))).outcomes.map((o: Json) => o.outcome)).toEqual(['grouped', 'resolved']);
    await post(fixture('grouped-resolved.json'));
    const stillOne = await incidents({ service: 'now-playing-ranker' });
    expect(stillOne[0].signalResolvedAt).toBeNull(); // ranker-7 is still firing
    const seven = fixture('grouped-resolved.json') as { alerts: Array<{ labels: Json; fingerprint: string }> };
    seven.alerts = [{ ...seven.alerts[0], labels: { ...seven.alerts[0].labels, instance: 'ranker-7:9090' }, fingerprint: 'ranker7fingerprint' }];
    await post(seven);
    // The last of its alerts resolved: the default route resolves it (a route may say autoResolve: false).
    const [ranker] = await incidents({ service: 'now-playing-ranker' });
    expect(ranker).toMatchObject({ status: 'resolved', resolvedBy: 'prod-alertmanager', route: 'default' });
    expect(ranker.signalResolvedAt).not.toBeNull();
    await post(fixture('resolved.json'));
    const [fs] = await incidents({ service: 'feature-store' });
    expect(fs).toMatchObject({ status: 'resolved', resolvedBy: 'prod-alertmanager', route: 'feature-store' });
    const resolved = (await get(`/api/incidents/${fs.id}`)).timeline.find((t: Json) => t.kind === 'incident.resolved');
    expect(resolved).toMatchObject({ actorType: 'integration', data: { bySource: true } });
    // The alert fires again after resolution: a new incident.
    await post(fixture('firing.json'));
    expect((await incidents({ service: 'feature-store' })).map((i: Json) => i.status)).toEqual(['triggered', 'resolved']);
  });

  it('mutes alerts a silence matches (recorded, visible, no page) until it is expired', async () => {
    const bad = await api('/api/silences', { method: 'POST', body: JSON.stringify({ matchers: [{ name: 'alertname', value: '(', isRegex: true }], comment: '' }) });
    expect(bad.status).toBe(400);
    expect((await json(bad)).issues.map((i: Json) => i.field).sort()).toEqual(['comment', 'endsAt', 'matchers.0.value']);
    const everything = await api('/api/silences', { method: 'POST', body: JSON.stringify({ matchers: [{ name: 'alertname', value: '.*', isRegex: true }], duration: '1h', comment: 'all' }) });
    expect((await json(everything)).message).toMatch(/would mute every alert/);

    const created = await api('/api/silences', { method: 'POST', body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'CandidateRetrieval.*', isRegex: true }], duration: '2h', comment: 'index rebuild' }) });
    expect(created.status).toBe(201);
    const silence = await json(created);
    expect(silence).toMatchObject({ status: 'active', createdBy: 'admin (HEADROOM_ADMIN_TOKEN)' });
    const before = pages().length;
    const muted = single('CandidateRetrievalSlow', { service: 'candidate-retrieval' });
    expect((await json(post(muted))).outcomes[0].outcome).toBe('opened-muted');
    const [incident] = await incidents({ service: 'candidate-retrieval' });
    expect(incident).toMatchObject({ muted: true, mutedReason: expect.stringContaining(`silence #${silence.id}`) });
    expect((await get('/api/silences?filter={"status":"active"}')).map((s: Json) => s.id)).toEqual([silence.id]);

    expect((await api(`/api/silences/${silence.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(`/api/silences/${silence.id}`, { method: 'DELETE' })).status).toBe(409);
    expect((await get(`/api/silences/${silence.id}`)).status).toBe('expired');
    expect(pages()).toHaveLength(before);
    await post(muted);
    await waitFor('the page once the silence expired', () => pages().length === before + 1);
    const audit = await get(`/api/audit?filter=${encodeURIComponent(JSON.stringify({ entityType: 'silence', entityId: String(silence.id) }))}&sort=["id","ASC"]`);
    expect(audit.map((a: Json) => [a.action, a.actorName])).toEqual([
      ['silence.created', 'admin (HEADROOM_ADMIN_TOKEN)'],
      ['silence.expired', 'admin (HEADROOM_ADMIN_TOKEN)'],
    ]);
    expect(audit[1].before.endsAt).not.toEqual(audit[1].after.endsAt);
  });

  it('acts on incidents through the API, 409 when an action does not apply, with an audit trail and a postmortem', async () => {
    const [incident] = await incidents({ service: 'model-serving' });
    const act = (action: string, body?: Json) => api(`/api/incidents/${incident.id}/${action}`, { method: 'POST', body: body ? JSON.stringify(body) : undefined });
    expect((await act('snooze', { duration: 'soon' })).status).toBe(400);
    expect((await act('snooze', { duration: '1h' })).status).toBe(200);
    expect((await act('reassign', { assignee: 'alice' })).status).toBe(200);
    expect((await act('notes', { text: 'OOM after model v12 rollout' })).status).toBe(200);
    const reopen = await act('reopen');
    expect(reopen.status).toBe(409);
    expect((await json(reopen)).message).toMatch(/not resolved/);
    expect((await act('resolve')).status).toBe(200);
    expect((await act('resolve')).status).toBe(409);
    expect((await act('reopen')).status).toBe(200);
    const audit = await get(`/api/audit?filter=${encodeURIComponent(JSON.stringify({ entityType: 'incident', entityId: String(incident.id) }))}&sort=["id","ASC"]`);
    expect(audit.map((a: Json) => a.action)).toEqual(['incident.triggered', 'incident.snoozed', 'incident.reassigned', 'incident.note-added', 'incident.resolved', 'incident.reopened']);
    expect(audit[0]).toMatchObject({ actorType: 'integration', actorName: 'prod-alertmanager' });

    const md = await api(`/api/incidents/${incident.id}/postmortem.md`);
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    const text = await md.text();
    expect(text).toContain('## Timeline');
    expect(text).toContain('OOM after model v12 rollout');

    const stats = await get('/api/incidents/stats?weeks=1');
    expect(stats.find((r: Json) => r.service === 'now-playing-ranker')).toMatchObject({ incidents: 1, acknowledged: 1, mttaSeconds: expect.any(Number) });
    expect((await api('/api/incidents/stats?weeks=0')).status).toBe(400);

    const manual = await api('/api/incidents', { method: 'POST', body: JSON.stringify({ title: 'Stale recommendations', service: 'candidate-retrieval' }) });
    expect(manual.status).toBe(201);
    expect(await json(manual)).toMatchObject({ source: 'manual', severity: 'error', status: 'triggered' });
    expect((await api('/api/incidents', { method: 'POST', body: JSON.stringify({ title: '', severity: 'huge' }) })).status).toBe(400);
  });

  it('stores text PostgreSQL cannot take (NUL, unpaired surrogates) cleaned, instead of failing', async () => {
    const body = single('NulInLabels', { service: 'text-cleaning', instance: 'host\u0000-1', 'weird\u0000key': 'x' }) as unknown as { alerts: Array<{ annotations: Json }> };
    body.alerts[0].annotations = { summary: 'half an emoji \uD83C then \u0000 a NUL' };
    const res = await post(body);
    expect(res.status).toBe(200);
    const [incident] = await incidents({ service: 'text-cleaning' });
    expect(incident.title).toBe('half an emoji \uFFFD then  a NUL');
    expect((await api(`/api/incidents/${incident.id}/resolve`, { method: 'POST' })).status).toBe(200);
    const silence = await api('/api/silences', { method: 'POST', body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'Nul\u0000' }], duration: '1m', comment: 'nul \u0000 here' }) });
    expect(silence.status).toBe(201);
    expect((await api(`/api/silences/${(await json(silence)).id}`, { method: 'DELETE' })).status).toBe(200);
    await api('/api/audit?filter={"entityType":"silence"}');
  });

  it('picks up changed routes when the rules reload', async () => {
    const one = (instance: string) => single('ReloadCheck', { service: 'reload-check', instance });
    await post(one('a'));
    await post(one('b'));
    expect((await incidents({ service: 'reload-check' })).map((i: Json) => i.alertCount)).toEqual([2]);
    fs.writeFileSync(path.join(alertsDir, 'routes.yaml'), `${ROUTES}  - name: each-instance\n    match: ['service="reload-check"']\n    groupBy: [instance]\n`);
    expect(await json(api('/api/rules/reload', { method: 'POST' }))).toMatchObject({ problems: [] });
    await post(one('c'));
    const list = await incidents({ service: 'reload-check' });
    expect(list.map((i: Json) => [i.route, i.alertCount])).toEqual([['each-instance', 1], ['default', 2]]);
  });

  it('takes another spelling of the path and a gzip body the same way', async () => {
    const gzip = (auth: string) =>
      fetch(`${app.url}/api/integrations/alertmanager/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: auth },
        body: zlib.gzipSync(JSON.stringify(single('ViaNest', { service: 'via-nest' }))),
      });
    const refused = await gzip('Bearer hk_alertmanager_nope-0123456789');
    expect(refused.status).toBe(401);
    expect((await json(refused)).message).toBe('invalid or revoked alertmanager integration key');
    expect((await json(gzip(`Bearer ${AM_KEY}`))).outcomes).toEqual([expect.objectContaining({ outcome: 'opened' })]);
    expect(await incidents({ service: 'via-nest' })).toEqual([expect.objectContaining({ alertCount: 1, status: 'triggered' })]);
    // The same invalid body gets the same answer on either spelling, and is logged the same way.
    const invalid = JSON.stringify({ alerts: [{ status: 'burning' }] });
    const exact = await post(null, `Bearer ${AM_KEY}`, invalid);
    const nest = await fetch(`${app.url}/api/integrations/alertmanager/`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_KEY}` }, body: invalid });
    expect([exact.status, nest.status]).toEqual([400, 400]);
    expect(await json(exact)).toEqual(await json(nest));
    for (const url of ['/api/integrations/alertmanager', '/api/integrations/alertmanager/']) {
      await waitFor(`the 400 on ${url} logged`, () => app.output().includes(`"req":{"method":"POST","url":"${url}"},"res":{"statusCode":400}`));
    }
  });

  it('never answered with a 5xx', () => {
    expect(app.output()).not.toMatch(/"statusCode":5\d\d|"res":\{"statusCode":5/);
  });
});
