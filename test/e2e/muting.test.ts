import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, type HeadroomProcess } from '../support/headroom-process';

/**
 * The two muting APIs of the built server, answer by answer: `/api/maintenance-windows` and
 * `/api/silences` are one model underneath (a maintenance window is a silence on a service), and
 * each keeps its own request and response shapes, validation errors, status codes, audit entries,
 * pagination and list, the one never showing the other's entries.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const BY = 'admin (HEADROOM_ADMIN_TOKEN)';
type Json = Record<string, unknown>;
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const LATER = { startsAt: '2099-11-28T02:00:00.000Z', endsAt: '2099-11-28T04:00:00.000Z' };

describe.each(databaseKinds())('muting API (real process, %s)', (kind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-mute-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;

  beforeAll(async () => {
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({ HEADROOM_DATA_DIR: dataDir, HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'false', ...(db ? { DATABASE_URL: db.url } : {}) });
  });

  afterAll(async () => {
    await app?.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const answer = async (res: Promise<Response> | Response) => {
    const r = await res;
    return { status: r.status, range: r.headers.get('content-range'), body: (await r.json()) as Json & Json[] };
  };
  const post = (p: string, body: unknown) => answer(api(p, { method: 'POST', body: JSON.stringify(body) }));
  const list = (p: string, query: Record<string, unknown> = {}) =>
    answer(api(`${p}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, JSON.stringify(v)])).toString()}`));

  let pending: Json;
  let active: Json;
  let silence: Json;

  it('creates maintenance windows with the answers it always gave, and refuses bad ones naming each field', async () => {
    const missing = 'Invalid input: expected string, received undefined';
    expect(await post('/api/maintenance-windows', {})).toEqual({
      status: 400,
      range: null,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: `service: ${missing}; comment: ${missing}`,
        issues: [{ field: 'service', message: missing }, { field: 'comment', message: missing }],
      },
    });
    const both = await post('/api/maintenance-windows', { service: ' ', endsAt: LATER.endsAt, duration: '1h', comment: 'x', matchers: [] });
    expect(both).toEqual({
      status: 400,
      range: null,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'service: must name the service under maintenance; (body): Unrecognized key: "matchers"; duration: give endsAt or duration, not both',
        issues: [
          { field: 'service', message: 'must name the service under maintenance' },
          { field: '(body)', message: 'Unrecognized key: "matchers"' },
          { field: 'duration', message: 'give endsAt or duration, not both' },
        ],
      },
    });
    expect((await post('/api/maintenance-windows', { service: 'feature-store', comment: 'x' })).body.issues).toEqual([{ field: 'endsAt', message: 'required (or give duration, e.g. 2h)' }]);
    const past = await post('/api/maintenance-windows', { service: 'feature-store', startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-01-01T01:00:00Z', comment: 'x' });
    expect(past).toEqual({ status: 400, range: null, body: { statusCode: 400, error: 'Bad Request', message: 'endsAt: must be in the future', issues: [{ field: 'endsAt', message: 'must be in the future' }] } });

    const created = await post('/api/maintenance-windows', { service: 'feature-store', ...LATER, comment: 'reindex' });
    expect(created).toEqual({
      status: 201,
      range: null,
      body: { id: expect.any(Number), service: 'feature-store', startsAt: LATER.startsAt, endsAt: LATER.endsAt, createdBy: BY, comment: 'reindex', createdAt: ISO, expiredAt: null, status: 'pending' },
    });
    expect(Object.keys(created.body)).toEqual(['id', 'service', 'startsAt', 'endsAt', 'createdBy', 'comment', 'createdAt', 'expiredAt', 'status']);
    pending = created.body;
    active = (await post('/api/maintenance-windows', { service: 'model-serving', duration: '2h', comment: 'node pool upgrade' })).body;
    expect(active).toMatchObject({ service: 'model-serving', status: 'active', startsAt: active.createdAt });
  });

  it('creates silences as before, beside the windows', async () => {
    const created = await post('/api/silences', { matchers: [{ name: 'alertname', value: 'Ranker.*', isRegex: true }], duration: '1h', comment: 'drain' });
    expect(created).toEqual({
      status: 201,
      range: null,
      body: {
        id: expect.any(Number),
        matchers: [{ name: 'alertname', value: 'Ranker.*', isRegex: true, isEqual: true }],
        startsAt: ISO,
        endsAt: ISO,
        createdBy: BY,
        comment: 'drain',
        createdAt: ISO,
        expiredAt: null,
        status: 'active',
      },
    });
    expect(Object.keys(created.body)).toEqual(['id', 'matchers', 'startsAt', 'endsAt', 'createdBy', 'comment', 'createdAt', 'expiredAt', 'status']);
    silence = created.body;
    expect((await post('/api/silences', { service: 'feature-store', duration: '1h', comment: 'x' })).status).toBe(400);
  });

  it('lists each kind apart, with react-admin pagination, filters and sorts', async () => {
    expect(await list('/api/maintenance-windows')).toEqual({ status: 200, range: 'maintenance-windows 0-1/2', body: [active, pending] });
    expect(await list('/api/silences')).toEqual({ status: 200, range: 'silences 0-0/1', body: [silence] });
    expect(await list('/api/maintenance-windows', { sort: ['service', 'ASC'], range: [0, 0] })).toEqual({ status: 200, range: 'maintenance-windows 0-0/2', body: [pending] });
    expect(await list('/api/maintenance-windows', { filter: { service: 'model-serving' } })).toMatchObject({ range: 'maintenance-windows 0-0/1', body: [active] });
    expect(await list('/api/maintenance-windows', { filter: { status: ['pending'] } })).toMatchObject({ range: 'maintenance-windows 0-0/1', body: [pending] });
    expect(await list('/api/maintenance-windows', { filter: { id: [pending.id, silence.id] } })).toMatchObject({ range: 'maintenance-windows 0-0/1', body: [pending] });
    expect(await list('/api/silences', { filter: { id: [pending.id, silence.id] } })).toMatchObject({ range: 'silences 0-0/1', body: [silence] });
    expect(await list('/api/silences', { filter: { q: 'feature' } })).toMatchObject({ range: 'silences 0-0/0', body: [] });
    expect(await list('/api/maintenance-windows', { range: [5, 9] })).toMatchObject({ range: 'maintenance-windows 5-5/2', body: [] });
    expect(await list('/api/maintenance-windows', { sort: ['createdBy', 'ASC'] })).toEqual({
      status: 400,
      range: null,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'sort: must be ["field","ASC"|"DESC"] with field one of id, service, startsAt, endsAt, createdAt',
        issues: [{ field: 'sort', message: 'must be ["field","ASC"|"DESC"] with field one of id, service, startsAt, endsAt, createdAt' }],
      },
    });
    expect((await list('/api/silences', { sort: ['service', 'ASC'] })).body.message).toBe('sort: must be ["field","ASC"|"DESC"] with field one of id, startsAt, endsAt, createdBy, createdAt');
    expect(await list('/api/maintenance-windows', { filter: { status: 'over' } })).toMatchObject({
      status: 400,
      body: { message: 'filter.status: must be one of pending, active, expired' },
    });
  });

  it('answers one by id, each path only for its own kind', async () => {
    expect(await answer(api(`/api/maintenance-windows/${pending.id}`))).toEqual({ status: 200, range: null, body: pending });
    expect(await answer(api(`/api/silences/${silence.id}`))).toEqual({ status: 200, range: null, body: silence });
    expect(await answer(api('/api/maintenance-windows/999999'))).toEqual({
      status: 404,
      range: null,
      body: { statusCode: 404, error: 'Not Found', message: 'maintenance window 999999 does not exist' },
    });
    // One table holds both, and one id names one entry: neither path answers for the other kind.
    expect(await answer(api(`/api/maintenance-windows/${silence.id}`))).toEqual({
      status: 404,
      range: null,
      body: { statusCode: 404, error: 'Not Found', message: `maintenance window ${silence.id} does not exist` },
    });
    expect((await answer(api(`/api/silences/${pending.id}`))).body).toEqual({ statusCode: 404, error: 'Not Found', message: `silence ${pending.id} does not exist` });
    expect((await answer(api('/api/maintenance-windows/nine'))).status).toBe(400);
    expect((await answer(api(`/api/maintenance-windows/${silence.id}`, { method: 'DELETE' }))).status).toBe(404);
  });

  it('expires a window once (409 after), keeping it, with an audit entry for each change', async () => {
    const expired = await answer(api(`/api/maintenance-windows/${pending.id}`, { method: 'DELETE' }));
    expect(expired).toEqual({ status: 200, range: null, body: { ...pending, startsAt: ISO, endsAt: ISO, expiredAt: ISO, status: 'expired' } });
    expect(expired.body.startsAt).toBe(expired.body.endsAt);
    expect(expired.body.expiredAt).toBe(expired.body.endsAt);
    expect(await answer(api(`/api/maintenance-windows/${pending.id}`, { method: 'DELETE' }))).toEqual({
      status: 409,
      range: null,
      body: { statusCode: 409, error: 'Conflict', message: `maintenance window ${pending.id} already ended at ${expired.body.endsAt as string}` },
    });
    expect(await list('/api/maintenance-windows', { filter: { status: 'expired' } })).toMatchObject({ range: 'maintenance-windows 0-0/1', body: [expired.body] });
    expect((await answer(api(`/api/silences/${silence.id}`))).body.status).toBe('active');

    const audit = await list('/api/audit', { filter: { entityType: 'maintenance-window' }, sort: ['id', 'ASC'] });
    expect(audit.range).toBe('audit 0-2/3');
    const entries = audit.body.map(({ action, entityType, entityId, actorName, before, after }) => ({ action, entityType, entityId, actorName, before, after }));
    const shape = (w: Json) => ({ service: w.service, startsAt: w.startsAt, endsAt: w.endsAt, comment: w.comment, createdBy: w.createdBy });
    expect(entries).toEqual([
      { action: 'maintenance-window.created', entityType: 'maintenance-window', entityId: String(pending.id), actorName: BY, before: null, after: shape(pending) },
      { action: 'maintenance-window.created', entityType: 'maintenance-window', entityId: String(active.id), actorName: BY, before: null, after: shape(active) },
      { action: 'maintenance-window.expired', entityType: 'maintenance-window', entityId: String(pending.id), actorName: BY, before: shape(pending), after: shape(expired.body) },
    ]);
    const silenceAudit = await list('/api/audit', { filter: { entityType: 'silence' } });
    expect(silenceAudit.body.map((a) => [a.action, a.entityId, a.after])).toEqual([
      ['silence.created', String(silence.id), { matchers: ['alertname=~"Ranker.*"'], startsAt: silence.startsAt, endsAt: silence.endsAt, comment: 'drain', createdBy: BY }],
    ]);
  });
});
