import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { HeadroomDataProvider } from './data-provider';

// react-admin's UI half does not load in node; fetchUtils comes from ra-core anyway.
jest.mock('react-admin', () => jest.requireActual('ra-core'));

/**
 * The provider's custom methods replaced httpClient calls in components: each must send what the
 * server expects (docs/api.md), including the X-Requested-With header its CSRF check wants.
 */
describe('data provider custom methods', () => {
  const calls: Array<{ url: string; method: string; body: unknown; headers: Headers }> = [];
  const realFetch = globalThis.fetch;

  let dataProvider: HeadroomDataProvider;

  beforeAll(async () => {
    // Imported here, after the mock above (a static import would run before it).
    ({ dataProvider } = await import('./data-provider'));
    (globalThis as { localStorage?: unknown }).localStorage = { getItem: () => null };
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, method: init.method ?? 'GET', body: init.body, headers: new Headers(init.headers) });
      return new Response('{"link":null}', { status: 200, headers: { 'Content-Type': 'application/json' } });
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });
  beforeEach(() => {
    calls.length = 0;
  });

  it.each([
    ['incidentAction', () => dataProvider.incidentAction(7, 'snooze', { duration: '1h' }), 'POST', '/api/incidents/7/snooze', '{"duration":"1h"}'],
    ['incidentAction without a body', () => dataProvider.incidentAction(7, 'acknowledge'), 'POST', '/api/incidents/7/acknowledge', '{}'],
    ['postmortem', () => dataProvider.postmortem(7), 'GET', '/api/incidents/7/postmortem.md', undefined],
    ['rollbackAction', () => dataProvider.rollbackAction(3, 'approve'), 'POST', '/api/rollback-executions/3/approve', '{}'],
    [
      'createOverride',
      () => dataProvider.createOverride('ranker primary', { user: 'a@example.com', start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z' }),
      'POST',
      '/api/schedules/ranker%20primary/overrides',
      '{"user":"a@example.com","start":"2026-01-01T00:00:00.000Z","end":"2026-01-02T00:00:00.000Z"}',
    ],
    ['calendarLink', () => dataProvider.calendarLink('ranker-primary'), 'GET', '/api/schedules/ranker-primary/calendar-link', undefined],
    ['createCalendarLink', () => dataProvider.createCalendarLink('ranker-primary'), 'POST', '/api/schedules/ranker-primary/calendar-link', undefined],
    ['revokeCalendarLink', () => dataProvider.revokeCalendarLink('ranker-primary'), 'DELETE', '/api/schedules/ranker-primary/calendar-link', undefined],
    ['onCallNow', () => dataProvider.onCallNow(), 'GET', '/api/oncall', undefined],
    ['sloLatency', () => dataProvider.sloLatency('api/avail', '1h', [0.5, 0.99]), 'GET', '/api/slos/api%2Favail/latency?window=1h&q=0.5%2C0.99', undefined],
    [
      'sloLatencyHistory',
      () => dataProvider.sloLatencyHistory('api', { span: '6h', step: '5m', quantiles: [0.99] }),
      'GET',
      '/api/slos/api/latency/history?span=6h&step=5m&q=0.99',
      undefined,
    ],
    ['changesBefore', () => dataProvider.changesBefore('now-playing-ranker', '2026-12-08T03:00:00.000Z'), 'GET', '/api/changes/before?service=now-playing-ranker&at=2026-12-08T03%3A00%3A00.000Z', undefined],
    ['sloBacktest', () => dataProvider.sloBacktest('api', { from: 'a', to: 'b' } as never), 'POST', '/api/slos/api/backtest', '{"from":"a","to":"b"}'],
    ['update (PATCH of the changed fields)', () => dataProvider.update('users', { id: 'u 1', data: { name: 'B', role: 'admin' }, previousData: { id: 'u 1', name: 'A', role: 'admin' } }), 'PATCH', '/api/users/u%201', '{"name":"B"}'],
  ])('%s', async (_name, call, method, url, body) => {
    await call();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method, url, body });
    expect(calls[0].headers.get('X-Requested-With')).toBe('XMLHttpRequest');
  });

  it('asks for the postmortem as markdown and returns the text', async () => {
    const { data } = await dataProvider.postmortem(7);
    expect(calls[0].headers.get('Accept')).toBe('text/markdown');
    expect(data).toBe('{"link":null}');
  });

  it('returns the calendar link, not the envelope', async () => {
    expect(await dataProvider.calendarLink('s')).toEqual({ data: null });
  });
});
