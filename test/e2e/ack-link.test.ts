import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signAckToken } from '../../server/src/notify/ack-link/ack-token';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, type HeadroomProcess } from '../support/headroom-process';

/**
 * The acknowledge link of an e-mail page against the built server: reached without a session,
 * GET shows one button and changes nothing, POST acknowledges as the person it was made for (on
 * the timeline and in the audit log, "via email link"), then the link is spent. Links are signed
 * here with the server's configured secret, the way the server signs them; an expired one is
 * signed as the server would have 25 hours ago.
 */
const ADMIN = 'e2e-admin-token-ack-link-0123456789';
const SECRET = 'e2e-ack-link-secret-0123456789abcdef';
type Json = Record<string, unknown>;

describe.each(databaseKinds())('acknowledge links (real process, %s)', (kind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-ack-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;

  beforeAll(async () => {
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir, HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'false', HEADROOM_ACK_LINK_SECRET: SECRET,
      ...(db ? { DATABASE_URL: db.url } : {}),
    });
    const rae = await api('/api/users', { method: 'POST', body: JSON.stringify({ email: 'rae@example.com', name: 'Rae', role: 'responder' }) });
    expect(rae.status).toBe(201);
  });

  afterAll(async () => {
    await app?.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const incident = async (id: number) => (await (await api(`/api/incidents/${id}`)).json()) as Json & { timeline: Json[] };
  const open = async (title: string) => {
    const res = await api('/api/incidents', { method: 'POST', body: JSON.stringify({ title, service: 'now-playing-ranker', severity: 'critical' }) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };
  const link = (incidentId: number, opts: { email?: string; expiresAt?: number; secret?: string; nonce?: string } = {}) =>
    `/ack/${signAckToken({ incidentId, email: opts.email ?? 'rae@example.com', expiresAt: opts.expiresAt ?? Date.now() + 3600_000, nonce: opts.nonce ?? `nonce-${Math.random()}` }, opts.secret ?? SECRET)}`;
  /** As a browser: no credentials at all, and for POST the Origin of the page it came from (the form on our own page). */
  const browse = async (p: string, method: 'GET' | 'POST' = 'GET', origin: string = app.url) => {
    const res = await fetch(`${app.url}${p}`, method === 'POST' ? { method, headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: '' } : {});
    return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), html: await res.text() };
  };

  it('GET shows the incident and one Acknowledge button, and acknowledges nothing', async () => {
    const id = await open('ranker <script>alert(1)</script> burning');
    const url = link(id);
    for (let i = 0; i < 2; i++) {
      const page = await browse(url);
      expect(page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', cache: 'no-store' });
      expect(page.html).toContain('<form method="post"><button type="submit">Acknowledge</button></form>');
      expect(page.html).toContain(`#${id} ranker &lt;script&gt;alert(1)&lt;/script&gt; burning`);
      expect(page.html).not.toContain('<script>');
    }
    expect(await incident(id)).toMatchObject({ status: 'triggered', acknowledgedBy: null });
  });

  it('POST acknowledges as that person via the link (timeline and audit say so); a second POST says the link was used', async () => {
    const id = await open('feature store timeouts');
    const url = link(id);
    const done = await browse(url, 'POST');
    expect(done.status).toBe(200);
    expect(done.html).toContain('<h1>Acknowledged</h1>');
    const after = await incident(id);
    expect(after).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Rae (via email link)' });
    expect(after.timeline.map((t) => [t.kind, t.actorType, t.actorName, t.message])).toContainEqual(['incident.acknowledged', 'user', 'Rae (via email link)', 'Acknowledged by Rae (via email link)']);
    const audit = (await (await api(`/api/audit?filter=${encodeURIComponent(JSON.stringify({ action: 'incident.acknowledged', entityId: String(id) }))}`)).json()) as Json[];
    expect(audit).toEqual([expect.objectContaining({ actorType: 'user', actorName: 'Rae (via email link)', entityType: 'incident' })]);

    const again = await browse(url, 'POST');
    expect(again.status).toBe(409);
    expect(again.html).toContain('This link was already used');
    expect((await browse(url)).html).toContain('This link was already used');
    // Another link for the same incident: nothing left to acknowledge.
    const other = await browse(link(id));
    expect(other.status).toBe(200);
    expect(other.html).toContain('Already acknowledged');
    expect(other.html).toContain('Rae (via email link) acknowledged it at');
    expect(other.html).not.toContain('<button');
  });

  it('refuses an expired, a forged and a cut link with a page that says so, and acknowledges nothing', async () => {
    const id = await open('model serving errors');
    const expired = link(id, { expiresAt: Date.now() - 3600_000 });
    expect(await browse(expired)).toMatchObject({ status: 410, html: expect.stringContaining('This link has expired') });
    expect(await browse(expired, 'POST')).toMatchObject({ status: 410, html: expect.stringContaining('This link has expired') });
    const forged = link(id, { secret: 'someone-elses-secret-0123456789abcdef' });
    expect(await browse(forged, 'POST')).toMatchObject({ status: 403, html: expect.stringContaining('This link is not valid') });
    // Another person's link with the signature of Rae's: a changed claim.
    const [v, , sig] = link(id).split('/')[2].split('.');
    const body = link(id, { email: 'mallory@example.com' }).split('/')[2].split('.')[1];
    expect(await browse(`/ack/${v}.${body}.${sig}`, 'POST')).toMatchObject({ status: 403 });
    expect(await browse('/ack/a1.cut', 'POST')).toMatchObject({ status: 400, html: expect.stringContaining('This link is not valid') });
    expect(await incident(id)).toMatchObject({ status: 'triggered', acknowledgedBy: null });
  });

  it('is the only change reachable without a session: a POST from another site is refused, and the API still wants credentials', async () => {
    const id = await open('candidate retrieval slow');
    const url = link(id);
    expect(await browse(url, 'POST', 'https://evil.example.net')).toMatchObject({ status: 403, html: expect.stringContaining('Not acknowledged') });
    expect(await incident(id)).toMatchObject({ status: 'triggered' });
    const bare = await fetch(`${app.url}/api/incidents/${id}/acknowledge`, { method: 'POST', headers: { origin: app.url } });
    expect(bare.status).toBe(401);
    // The refused POST did not spend the link.
    expect((await browse(url, 'POST')).status).toBe(200);
  });
});
