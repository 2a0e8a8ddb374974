import type { SliSpec, SloDefinition } from '../../rules/slo-definition';
import type { PrometheusClient, PrometheusClients } from './prometheus-client';
import { PrometheusQueryError, type QueryResult } from './prometheus-response';
import { PromqlSliReader } from './promql-sli-reader';

type Answer = QueryResult | PrometheusQueryError;

/** An in-memory Prometheus: answers by exact query text, records calls and concurrency. */
class StubClient implements PrometheusClient {
  readonly calls: Array<{ query: string; time: Date }> = [];
  running = 0;
  peak = 0;
  constructor(
    readonly server: string,
    private readonly answer: (query: string) => Answer,
    /** Extra event-loop turns before answering, to order answers. */
    private readonly slowness: (query: string) => number = () => 0,
  ) {}
  async query(promql: string, time: Date): Promise<QueryResult> {
    this.calls.push({ query: promql, time });
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    for (let i = 0; i <= this.slowness(promql); i++) await new Promise((r) => setImmediate(r));
    this.running--;
    const a = this.answer(promql);
    if (a instanceof PrometheusQueryError) throw a;
    return a;
  }
  queryRange(): Promise<QueryResult> {
    throw new Error('the reader only sends instant queries');
  }
}

const clients = (...list: StubClient[]): PrometheusClients => ({ client: (name) => list.find((c) => c.server === name) });
const vector = (...values: Array<[Record<string, string>, number]>): QueryResult => ({
  resultType: 'vector',
  samples: values.map(([metric, value]) => ({ metric, timestamp: 0, value })),
});
const one = (v: number) => vector([{}, v]);

function slo(name: string, sli: SliSpec): SloDefinition {
  return {
    id: `ranker.${name}`, service: 'ranker', name, objective: 0.999, periodSeconds: 30 * 86400, sli,
    alerting: { page: true, ticket: true, windows: null, minEvents: 0 }, severity: 'critical', runbookId: 'r', labels: {}, file: 'x.yaml',
  };
}
const events = (name: string, server = 'prom', errorQuery = 'sum(rate(err[{{window}}]))', totalQuery = 'sum(rate(req[{{window}}]))') =>
  slo(name, { kind: 'events', source: 'prometheus', server, errorQuery, totalQuery });
const latency = (name: string, server = 'prom', thresholdSeconds = 0.25) =>
  slo(name, { kind: 'latency', source: 'prometheus', server, thresholdSeconds, histogramMetric: 'http_request_duration_seconds', selector: '{job="ranker"}' });

const NOW = new Date('2026-11-25T03:00:00Z');

describe('PromqlSliReader', () => {
  it('renders both events queries per window at now, and counts rate × window as events', async () => {
    const client = new StubClient('prom', (q) => (q.startsWith('sum(rate(err') ? one(0.5) : one(100)));
    const out = await new PromqlSliReader(clients(client)).windowCounts([events('availability')], NOW, [3600, 300]);
    expect(out.get('ranker.availability')).toEqual({
      windows: new Map([
        [300, { total: 30000, good: 29850 }],
        [3600, { total: 360000, good: 358200 }],
      ]),
    });
    expect(client.calls.map((c) => c.query).sort()).toEqual([
      'sum(rate(err[1h]))', 'sum(rate(err[5m]))', 'sum(rate(req[1h]))', 'sum(rate(req[5m]))',
    ]);
    expect(client.calls.every((c) => c.time.getTime() === NOW.getTime())).toBe(true);
  });

  it('adds up several series and never counts more bad events than events', async () => {
    const client = new StubClient('prom', (q) =>
      q.startsWith('sum(rate(err') ? vector([{ code: '500' }, 1], [{ code: '503' }, 2]) : vector([{ code: '200' }, 2]),
    );
    const out = await new PromqlSliReader(clients(client)).windowCounts([events('availability')], NOW, [60]);
    expect(out.get('ranker.availability')!.windows.get(60)).toEqual({ total: 120, good: 0 });
  });

  it('counts latency SLIs from the +Inf bucket and interpolates the threshold inside its bucket', async () => {
    const client = new StubClient('prom', () =>
      vector([{ le: '0.1' }, 600], [{ le: '0.5' }, 900], [{ le: '+Inf' }, 1000]),
    );
    const out = await new PromqlSliReader(clients(client)).windowCounts([latency('latency')], NOW, [300]);
    // 0.25 is 3/8 of the way through (0.1, 0.5]: 600 + 300 × 0.375.
    expect(out.get('ranker.latency')!.windows.get(300)).toEqual({ total: 1000, good: 712.5 });
    expect(client.calls[0].query).toBe('sum by (le) (increase(http_request_duration_seconds_bucket{job="ranker"}[5m]))');
  });

  it('reads a window without requests as zero events, not as an error', async () => {
    const client = new StubClient('prom', () => vector([{ le: '0.1' }, 0], [{ le: '+Inf' }, 0]));
    const out = await new PromqlSliReader(clients(client)).windowCounts([latency('latency')], NOW, [300]);
    expect(out.get('ranker.latency')).toEqual({ windows: new Map([[300, { total: 0, good: 0 }]]) });
  });

  it('puts only the SLO whose query fails in no-data, naming server, query, window and reason', async () => {
    const client = new StubClient('prom', (q) => {
      if (q.includes('broken')) return new PrometheusQueryError('api', 'bad_data: 1:5: parse error (HTTP 400)');
      return q.includes('err') ? one(0) : one(10);
    });
    const out = await new PromqlSliReader(clients(client)).windowCounts(
      [events('good'), events('bad', 'prom', 'sum(rate(broken[{{window}}]))')],
      NOW,
      [3600, 300],
    );
    expect(out.get('ranker.good')!.error).toBeUndefined();
    expect(out.get('ranker.good')!.windows.size).toBe(2);
    expect(out.get('ranker.bad')).toEqual({
      windows: new Map(),
      error: 'prom: errorQuery [5m]: bad_data: 1:5: parse error (HTTP 400) (and in 1 more window)',
    });
  });

  it('treats an empty error vector as no data, and says how to make it zero', async () => {
    const client = new StubClient('prom', (q) => (q.includes('err') ? vector() : one(10)));
    const out = await new PromqlSliReader(clients(client)).windowCounts([events('availability')], NOW, [300]);
    expect(out.get('ranker.availability')!.error).toBe(
      'prom: errorQuery [5m]: no series matched (empty vector); if the error series may not exist yet, end errorQuery with "or vector(0)"',
    );
  });

  it('shows the errorQuery reason when both queries of a window fail, whichever fails first', async () => {
    const refused = new PrometheusQueryError('http', 'HTTP 401: Unauthorized');
    const client = new StubClient('prom', () => refused, (q) => (q.includes('err') ? 5 : 0));
    const out = await new PromqlSliReader(clients(client)).windowCounts([events('availability')], NOW, [300]);
    expect(out.get('ranker.availability')!.error).toBe('prom: errorQuery [5m]: HTTP 401: Unauthorized');
  });

  it.each<[string, QueryResult | PrometheusQueryError, RegExp]>([
    ['an empty total', vector(), /^prom: totalQuery \[5m\]: no series matched \(empty vector\)$/],
    ['NaN', one(Number.NaN), /^prom: totalQuery \[5m\]: the query returned NaN$/],
    ['+Inf', one(Number.POSITIVE_INFINITY), /returned \+Inf/],
    ['a scalar', { resultType: 'scalar', timestamp: 0, value: 3 }, /expected an instant vector, got a scalar/],
    ['a timeout', new PrometheusQueryError('timeout', 'no answer within 2s'), /^prom: totalQuery \[5m\]: no answer within 2s$/],
  ])('reports %s in the total as no data', async (_what, answer, message) => {
    const client = new StubClient('prom', (q) => (q.includes('err') ? one(0) : answer));
    const out = await new PromqlSliReader(clients(client)).windowCounts([events('availability')], NOW, [300]);
    expect(out.get('ranker.availability')!.windows.size).toBe(0);
    expect(out.get('ranker.availability')!.error).toMatch(message);
  });

  it.each<[string, QueryResult, RegExp]>([
    ['no +Inf bucket', vector([{ le: '0.1' }, 1], [{ le: '1' }, 2]), /no le="\+Inf" bucket/],
    ['a series without le', vector([{ job: 'x' }, 1]), /no numeric le label/],
    ['an empty vector', vector(), /no series matched/],
    ['a NaN bucket', vector([{ le: '0.1' }, Number.NaN], [{ le: '+Inf' }, 1]), /bucket le="0.1" is NaN/],
  ])('refuses a latency answer with %s', async (_what, answer, message) => {
    const out = await new PromqlSliReader(clients(new StubClient('prom', () => answer))).windowCounts([latency('latency')], NOW, [300]);
    expect(out.get('ranker.latency')!.error).toMatch(/^prom: http_request_duration_seconds_bucket \[5m\]: /);
    expect(out.get('ranker.latency')!.error).toMatch(message);
  });

  it('names a server that is not declared', async () => {
    const out = await new PromqlSliReader(clients()).windowCounts([events('availability', 'thanos')], NOW, [300]);
    expect(out.get('ranker.availability')).toEqual({ windows: new Map(), error: 'thanos: no Prometheus server with this name is declared' });
  });

  it('stops asking a server that timed out for the rest of the pass, other servers unaffected', async () => {
    const down = new StubClient('down', () => new PrometheusQueryError('timeout', 'no answer within 10s'));
    const up = new StubClient('up', (q) => (q.includes('err') ? one(0) : one(1)));
    const reader = new PromqlSliReader(clients(down, up), { concurrencyPerServer: 2 });
    const windows = [300, 1800, 3600, 7200, 21600, 86400, 259200, 2592000];
    const out = await reader.windowCounts([events('a', 'down'), latency('b', 'down'), events('c', 'up')], NOW, windows);
    // Only the queries already in flight when the first timeout came back were sent.
    expect(down.calls).toHaveLength(2);
    expect(out.get('ranker.a')!.error).toMatch(/^down: errorQuery \[5m\]: no answer within 10s \(and in 7 more windows\)$/);
    expect(out.get('ranker.b')!.error).toMatch(/^down: http_request_duration_seconds_bucket \[5m\]: not sent: an earlier query of this pass failed with "no answer within 10s"/);
    expect(out.get('ranker.c')!.error).toBeUndefined();
    expect(up.calls).toHaveLength(windows.length * 2);

    // The next pass asks again.
    await reader.windowCounts([events('a', 'down')], NOW, [300]);
    expect(down.calls).toHaveLength(4);
  });

  it('limits concurrent queries per server, servers independently, and sends a shared query once', async () => {
    const a = new StubClient('a', (q) => (q.includes('err') ? one(0) : one(1)));
    const b = new StubClient('b', (q) => (q.includes('err') ? one(0) : one(1)));
    const windows = [300, 1800, 3600, 7200, 21600, 86400, 259200, 2592000];
    const reader = new PromqlSliReader(clients(a, b), { concurrencyPerServer: 3 });
    // Two SLOs on `a` with the same queries: each query text is sent once per pass.
    const out = await reader.windowCounts([events('one', 'a'), events('two', 'a'), events('three', 'b')], NOW, windows);
    expect([...out.values()].every((c) => !c.error && c.windows.size === windows.length)).toBe(true);
    expect(a.calls).toHaveLength(windows.length * 2);
    expect(new Set(a.calls.map((c) => c.query)).size).toBe(windows.length * 2);
    expect(a.peak).toBe(3);
    expect(b.peak).toBe(3);
  });
});
