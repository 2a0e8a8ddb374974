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
});
