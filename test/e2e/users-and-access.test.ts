import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppModule } from '../../server/src/app.module';
import { loadConfig } from '../../server/src/config/config';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { REPO_ROOT, runHeadroomCli, startHeadroomProcess, type HeadroomProcess } from '../support/headroom-process';
import { concretePath, routeTable } from '../support/route-table';

/**
 * People and access, against the built server: the first admin from the environment, signing
 * in with email and password (an HTTP-only session cookie), rate-limited failures, admins
 * managing users, and every route of the application refusing missing credentials and too
 * low a role.
 */
const ADMIN_TOKEN = 'e2e-users-admin-token-0123456789';
const ADMIN_EMAIL = 'Ada@Example.com';
const ADMIN_PASSWORD = 'first-admin-password-123';

describe.each(databaseKinds())('users, sign-in and route guards (real process, %s)', (kind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-users-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;
  let env: Record<string, string>;
  let viewerToken: string;
  let responderToken: string;

  beforeAll(async () => {
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    env = {
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: ADMIN_TOKEN,
      HEADROOM_ADMIN_EMAIL: ADMIN_EMAIL,
      HEADROOM_ADMIN_PASSWORD: ADMIN_PASSWORD,
      HEADROOM_SIMULATOR: 'false',
      ...(db ? { DATABASE_URL: db.url } : {}),
    };
    // Before the server starts: on the embedded default the CLI needs the data folder to itself.
    viewerToken = (await runHeadroomCli(['token', 'create', '--name', 'viewer-vic', '--role', 'viewer'], env)).stdout.trim();
    responderToken = (await runHeadroomCli(['token', 'create', '--name', 'responder-rae', '--role', 'responder'], env)).stdout.trim();
    expect(viewerToken).toMatch(/^hr_/);
    app = await startHeadroomProcess(env);
  });

  afterAll(async () => {
    await app?.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (p: string, init: RequestInit & { token?: string; cookie?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.cookie) headers.cookie = init.cookie;
    return fetch(`${app.url}${p}`, { ...init, headers: { ...headers, ...((init.headers as Record<string, string>) ?? {}) } });
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();
  const signIn = (email: string, password: string) => call('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0];

  it('creates the first admin from the environment; they sign in with an HTTP-only session cookie and sign out', async () => {
    const res = await signIn('ada@example.com', ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ email: 'ada@example.com', role: 'admin', kind: 'user' });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^headroom_session=hs_/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = cookieOf(res);
    const me = await call('/api/auth/me', { cookie });
    expect(me.status).toBe(200);
    expect(await json(me)).toMatchObject({ email: 'ada@example.com', role: 'admin' });
    // The admin (a person) now shows in the audit log as created at first start.
    const audit = await json(call('/api/audit?filter=' + encodeURIComponent(JSON.stringify({ entityType: 'user' })), { token: ADMIN_TOKEN }));
    expect(audit.some((a: { action: string; actorName: string }) => a.action === 'user.created' && a.actorName === 'first start')).toBe(true);

    expect((await call('/api/auth/logout', { method: 'POST', cookie })).status).toBe(204);
    const after = await call('/api/auth/me', { cookie });
    expect(after.status).toBe(401);
    expect((await json(after)).message).toMatch(/session has ended/);
  });

  it('refuses a wrong password, then rate-limits further attempts for that email with Retry-After', async () => {
    const email = 'ada@example.com';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signIn(email, `wrong-password-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const limited = await signIn(email, ADMIN_PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await json(limited)).message).toMatch(/too many failed sign-ins/);
    // An unknown email gets the same answer as a wrong password (no account discovery).
    const unknown = await signIn('nobody@example.com', 'whatever-password');
    expect(unknown.status).toBe(401);
    expect((await json(unknown)).message).toBe('wrong email or password');
  });

  it('lets admins create and change users, audited; others cannot; the last admin cannot be demoted', async () => {
    const bad = await call('/api/users', { method: 'POST', token: ADMIN_TOKEN, body: JSON.stringify({ email: 'not-an-email', name: '', role: 'boss', password: 'short', timeZone: 'Mars/Olympus' }) });
    expect(bad.status).toBe(400);
    const message = (await json(bad)).message as string;
    for (const field of ['email', 'name', 'role', 'password', 'timeZone']) expect(message).toContain(field);

    const create = await call('/api/users', {
      method: 'POST',
      token: ADMIN_TOKEN,
      body: JSON.stringify({ email: 'Rae@Example.com', name: 'Rae Responder', role: 'responder', timeZone: 'Europe/London', password: 'responder-password-1' }),
    });
    expect(create.status).toBe(201);
    const rae = await json(create);
    expect(rae).toMatchObject({ email: 'rae@example.com', role: 'responder', timeZone: 'Europe/London', disabledAt: null });
    expect(rae).not.toHaveProperty('passwordHash');
    expect((await call('/api/users', { method: 'POST', token: ADMIN_TOKEN, body: JSON.stringify({ email: 'rae@example.com', name: 'Again', role: 'viewer' }) })).status).toBe(409);
    expect((await call('/api/users', { method: 'POST', token: responderToken, body: JSON.stringify({ email: 'x@example.com', name: 'X', role: 'viewer' }) })).status).toBe(403);

    const raeSession = cookieOf(await signIn('rae@example.com', 'responder-password-1'));
    expect((await call('/api/auth/me', { cookie: raeSession })).status).toBe(200);
    // A signed-in responder may not manage users.
    expect((await call(`/api/users/${rae.id}`, { method: 'PATCH', cookie: raeSession, body: JSON.stringify({ role: 'admin' }) })).status).toBe(403);
    // Lowering a role ends the user's sessions.
    const lowered = await call(`/api/users/${rae.id}`, { method: 'PATCH', token: ADMIN_TOKEN, body: JSON.stringify({ role: 'viewer' }) });
    expect(lowered.status).toBe(200);
    expect((await call('/api/auth/me', { cookie: raeSession })).status).toBe(401);
    const audit = await json(call('/api/audit?filter=' + encodeURIComponent(JSON.stringify({ entityType: 'user' })), { token: ADMIN_TOKEN }));
    const change = audit.find((a: { action: string; entityId: string }) => a.action === 'user.updated' && a.entityId === rae.id);
    expect(change).toMatchObject({ before: { role: 'responder' }, after: { role: 'viewer' } });

    const list = await call('/api/users?sort=' + encodeURIComponent('["email","ASC"]'), { token: viewerToken });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-range')).toBe('users 0-1/2');
    expect((await json(list)).map((u: { email: string }) => u.email)).toEqual(['ada@example.com', 'rae@example.com']);

    const ada = (await json(call('/api/users?filter=' + encodeURIComponent(JSON.stringify({ q: 'ada' })), { token: ADMIN_TOKEN })))[0];
    const demote = await call(`/api/users/${ada.id}`, { method: 'PATCH', token: ADMIN_TOKEN, body: JSON.stringify({ role: 'viewer' }) });
    expect(demote.status).toBe(409);
    expect((await json(demote)).message).toMatch(/last enabled admin/);
  });

  describe('every route of the application', () => {
    // The module as the server builds it (nothing connects until the application starts).
    const config = loadConfig({ HEADROOM_DATA_DIR: dataDir }, REPO_ROOT);
    const routes = routeTable(AppModule.forRoot({ config, databaseUrl: 'postgres://unused/unused', embedded: false, logger: {} as never }));
    const guarded = routes.filter((r) => !r.isPublic);

    it('is found in the module graph, guarded unless marked public', () => {
      // A sanity floor, so a broken walk cannot pass by finding nothing.
      expect(guarded.length).toBeGreaterThan(40);
      const publicRoutes = routes.filter((r) => r.isPublic).map((r) => `${r.method} ${r.path}`).sort();
      // Public routes are few and each has its own authentication or is meant to be open.
      expect(publicRoutes).toEqual(expect.arrayContaining(['GET /healthz', 'POST /api/auth/login', 'GET /ack/:token', 'POST /ack/:token']));
      for (const r of publicRoutes) expect(r).toMatch(/^(GET \/(healthz|readyz|metrics)|POST \/api\/auth\/(login|logout)|POST \/(v1\/metrics|api\/integrations\/|slack\/)|GET \/api\/schedules\/.*\.ics|GET \/calendar\/:token\.ics$|(GET|POST) \/ack\/:token$|POST \/api\/experiments\/:id\/observations|(GET|POST) \/api\/gates(\/:service)?$)/);
    });

    it('answers 401 without credentials and with a forged session cookie', async () => {
      const failures: string[] = [];
      for (const r of guarded) {
        for (const cookie of [undefined, 'headroom_session=hs_forged']) {
          const res = await call(concretePath(r.path), { method: r.method, cookie, body: ['GET', 'HEAD'].includes(r.method) ? undefined : '{}' });
          if (res.status !== 401) failures.push(`${r.method} ${r.path} (${cookie ? 'forged cookie' : 'no credentials'}): ${res.status}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('answers 403 to a role below the one the route needs', async () => {
      const failures: string[] = [];
      for (const r of guarded) {
        const lower = r.role === 'admin' ? [viewerToken, responderToken] : r.role === 'responder' ? [viewerToken] : [];
        for (const token of lower) {
          const res = await call(concretePath(r.path), { method: r.method, token, body: ['GET', 'HEAD'].includes(r.method) ? undefined : '{}' });
          if (res.status !== 403) failures.push(`${r.method} ${r.path} (${token === viewerToken ? 'viewer' : 'responder'}): ${res.status}`);
        }
      }
      expect(failures).toEqual([]);
      // Writes need more than viewer: the only non-GET route open to viewers computes and stores nothing.
      const viewerWrites = guarded.filter((r) => r.method !== 'GET' && r.role === 'viewer').map((r) => `${r.method} ${r.path}`);
      expect(viewerWrites).toEqual(['POST /api/slos/:id/backtest']);
    });
  });
});
