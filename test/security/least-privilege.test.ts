import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * Least privilege and integrity (issue 15), one reproduction each, against a real process that
 * the tests restart where a restart is the point.
 */
const ENV_ADMIN = 'security-env-admin-token-0123456789';
const KEY_A = 'hk_alertmanager_tenant-a-0123456789abcdef';
const KEY_B = 'hk_alertmanager_tenant-b-0123456789abcdef';

type Json = Record<string, unknown>;

describe('least privilege (a real process, embedded database)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-privilege-'));
  const env = {
    HEADROOM_DATA_DIR: dataDir,
    HEADROOM_ADMIN_TOKEN: ENV_ADMIN,
    HEADROOM_SIMULATOR: 'false',
    HEADROOM_LOG_LEVEL: 'warn',
    HEADROOM_INTEGRATION_KEYS: `alertmanager:tenant-a:${KEY_A},alertmanager:tenant-b:${KEY_B}`,
  };
  let app: HeadroomProcess;
  /** An admin token made through the API, for after the environment's one is revoked. */
  let admin = ENV_ADMIN;

  beforeAll(async () => {
    app = await startHeadroomProcess(env);
  });
  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const api = (p: string, init: RequestInit = {}, token = admin) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const json = async <T = Json>(r: Promise<Response> | Response): Promise<T> => (await r).json() as Promise<T>;
  const webhook = (key: string, status: 'firing' | 'resolved') =>
    fetch(`${app.url}/api/integrations/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4', status,
        alerts: [{ status, labels: { alertname: 'TenantA', service: 'feature-store', severity: 'warning' }, annotations: { summary: 'tenant A alert' }, startsAt: '2026-12-07T00:00:00Z', endsAt: status === 'resolved' ? '2026-12-07T00:10:00Z' : '0001-01-01T00:00:00Z', fingerprint: 'a0a0a0a0a0a0a0a0' }],
      }),
    });

  it("one Alertmanager key cannot resolve another key's alert by sending its fingerprint", async () => {
    const opened = await json<{ outcomes: Array<{ key: string; outcome: string; incidentId: number }> }>(webhook(KEY_A, 'firing'));
    expect(opened.outcomes).toEqual([{ key: 'a0a0a0a0a0a0a0a0', outcome: 'opened', incidentId: expect.any(Number) }]);
    const id = opened.outcomes[0].incidentId;
    const forged = await webhook(KEY_B, 'resolved');
    expect(forged.status).toBe(200);
    expect((await json<{ outcomes: Array<{ outcome: string }> }>(forged)).outcomes[0].outcome).toBe('dropped');
    const alerts = await json<Array<{ status: string }>>(api(`/api/incidents/${id}/alerts`));
    expect(alerts.map((a) => a.status)).toEqual(['firing']);
    // Its own key still resolves it.
    expect((await json<{ outcomes: Array<{ outcome: string }> }>(webhook(KEY_A, 'resolved'))).outcomes[0].outcome).toBe('resolved');
  });

  it('a revoked environment admin token and a revoked environment integration key stay revoked across a restart', async () => {
    const created = await json<{ token: string }>(api('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'second admin', role: 'admin' }) }));
    admin = created.token;
    const tokens = await json<Array<{ id: string; name: string }>>(api('/api/tokens'));
    const envToken = tokens.find((t) => t.name === 'admin (HEADROOM_ADMIN_TOKEN)')!;
    expect((await api(`/api/tokens/${envToken.id}`, { method: 'DELETE' })).ok).toBe(true);
    const keys = await json<Array<{ id: string; name: string }>>(api('/api/integrations'));
    const keyB = keys.find((k) => k.name === 'tenant-b')!;
    expect((await api(`/api/integrations/${keyB.id}`, { method: 'DELETE' })).ok).toBe(true);

    await app.stop();
    app = await startHeadroomProcess(env);
    expect((await api('/api/incidents', {}, ENV_ADMIN)).status).toBe(401);
    expect((await webhook(KEY_B, 'firing')).status).toBe(401);
    expect((await api('/api/incidents')).status).toBe(200);
    await waitFor('the log to say why the key is ignored', () => /tenant-b from HEADROOM_INTEGRATION_KEYS was revoked; it is ignored/.test(app.output()), 5_000);
    expect(app.output()).toMatch(/HEADROOM_ADMIN_TOKEN was revoked; it is ignored/);
  });

  it('sends security headers with the console: no framing, scripts only from Headroom, no sniffing, no Referer', async () => {
    const res = await fetch(`${app.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('API tokens belong to people: at most their role, refused once their owner is disabled or they expire; use is recorded', async () => {
    const bob = await json<{ id: string }>(api('/api/users', { method: 'POST', body: JSON.stringify({ email: 'bob@example.com', name: 'Bob', role: 'responder', password: 'bob-password-123456' }) }));
    const tooMuch = await api('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'bob admin', role: 'admin', ownerId: bob.id }) });
    expect(tooMuch.status).toBe(400);
    expect((await json<{ message: string }>(tooMuch)).message).toBe("role: must not exceed the owner's role (responder)");
    const bobs = await json<{ token: string; id: string; ownerId: string }>(api('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'bob script', role: 'responder', ownerId: bob.id }) }));
    expect(bobs.ownerId).toBe(bob.id);
    expect((await api('/api/incidents', {}, bobs.token)).status).toBe(200);
    const listed = await json<Array<{ id: string; lastUsedAt: string | null }>>(api('/api/tokens'));
    expect(listed.find((t) => t.id === bobs.id)?.lastUsedAt).toEqual(expect.any(String));

    const soon = await json<{ token: string }>(api('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'short', role: 'viewer', expiresAt: new Date(Date.now() + 1500).toISOString() }) }));
    expect((await api('/api/incidents', {}, soon.token)).status).toBe(200);
    expect((await api('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'past', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' }) })).status).toBe(400);

    expect((await api(`/api/users/${bob.id}`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) })).status).toBe(200);
    expect((await api('/api/incidents', {}, bobs.token)).status).toBe(401);
    expect((await json<Array<{ id: string; revokedAt: string | null }>>(api('/api/tokens'))).find((t) => t.id === bobs.id)?.revokedAt).toEqual(expect.any(String));
    await new Promise((r) => setTimeout(r, 1600));
    expect((await api('/api/incidents', {}, soon.token)).status).toBe(401);
  });

  it("a responder makes calendar links only for themselves, and a disabled person's feed stops", async () => {
    const carol = await json<{ id: string }>(api('/api/users', { method: 'POST', body: JSON.stringify({ email: 'carol@example.com', name: 'Carol', role: 'responder', password: 'carol-password-123456' }) }));
    const dan = await json<{ id: string }>(api('/api/users', { method: 'POST', body: JSON.stringify({ email: 'dan@example.com', name: 'Dan', role: 'viewer', password: 'dan-password-1234567' }) }));
    const login = await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'carol@example.com', password: 'carol-password-123456' }) });
    const cookie = String(login.headers.get('set-cookie')).split(';')[0];
    const asCarol = (p: string) => fetch(`${app.url}${p}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', origin: app.url }, body: '{}' });
    expect((await asCarol(`/api/users/${dan.id}/calendar-link`)).status).toBe(403);
    const own = await asCarol(`/api/users/${carol.id}/calendar-link`);
    expect(own.status).toBe(201);
    const { url } = await json<{ url: string }>(own);
    const feedPath = new URL(url).pathname;
    expect((await fetch(`${app.url}${feedPath}`)).status).toBe(200);
    expect((await api(`/api/users/${carol.id}`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) })).status).toBe(200);
    expect((await fetch(`${app.url}${feedPath}`)).status).toBe(404);
  });

  it('refuses a change posted as a form from another origin with the session cookie (CSRF), and takes the console\'s own', async () => {
    await api('/api/users', { method: 'POST', body: JSON.stringify({ email: 'erin@example.com', name: 'Erin', role: 'responder', password: 'erin-password-123456' }) });
    const login = await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'erin@example.com', password: 'erin-password-123456' }) });
    const cookie = String(login.headers.get('set-cookie')).split(';')[0];
    const body = JSON.stringify({ title: 'forged', service: 'feature-store', severity: 'warning' });
    const forged = await fetch(`${app.url}/api/incidents`, { method: 'POST', headers: { cookie, origin: 'http://grafana.internal:3000', 'content-type': 'text/plain' }, body });
    expect(forged.status).toBe(403);
    const form = await fetch(`${app.url}/api/incidents`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=forged' });
    expect(form.status).toBe(403);
    const own = await fetch(`${app.url}/api/incidents`, { method: 'POST', headers: { cookie, origin: app.url, 'content-type': 'application/json' }, body });
    expect(own.status).toBe(201);
  });

  it('audits sign-ins (failed ones too), token use at most once a minute, simulator faults and rules reloads', async () => {
    await api('/api/users', { method: 'POST', body: JSON.stringify({ email: 'fay@example.com', name: 'Fay', role: 'responder', password: 'fay-password-1234567' }) });
    const signIn = (password: string) => fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'fay@example.com', password }) });
    expect((await signIn('not-her-password')).status).toBe(401);
    expect((await signIn('fay-password-1234567')).status).toBe(200);
    const fault = await api('/api/simulator/faults', { method: 'POST', body: JSON.stringify({ service: 'feature-store', kind: 'error-rate', value: 0.5, durationSeconds: 60 }) });
    expect(fault.status).toBe(201);
    await api('/api/simulator/faults', { method: 'DELETE' });
    expect((await api('/api/rules/reload', { method: 'POST' })).status).toBe(200);
    const filter = encodeURIComponent(JSON.stringify({ action: ['user.sign_in_failed', 'user.signed_in', 'api_token.used', 'simulator_fault.injected', 'simulator_fault.cleared', 'rules.reloaded'] }));
    const entries = await json<Array<{ action: string; actorName: string; after: Record<string, unknown> | null }>>(api(`/api/audit?filter=${filter}&range=[0,199]&sort=["id","ASC"]`));
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.sign_in_failed', 'user.signed_in', 'api_token.used', 'simulator_fault.injected', 'simulator_fault.cleared', 'rules.reloaded']));
    expect(entries.find((e) => e.action === 'rules.reloaded')?.actorName).toBe('second admin');
    expect(entries.filter((e) => e.action === 'user.sign_in_failed').at(-1)?.after).toMatchObject({ email: 'fay@example.com' });
    expect(entries.filter((e) => e.action === 'user.signed_in').at(-1)?.actorName).toBe('Fay');
    // Many requests with one token within a minute: one "used" entry for it.
    const usedBefore = actions.filter((a) => a === 'api_token.used').length;
    for (let i = 0; i < 5; i++) await api('/api/incidents');
    const after = await json<Array<{ action: string }>>(api(`/api/audit?filter=${encodeURIComponent('{"action":"api_token.used"}')}&range=[0,199]`));
    expect(after.length).toBe(usedBefore);
  });
});
