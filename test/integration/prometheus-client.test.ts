import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PrometheusServer } from '../../server/src/rules/slo-definition';
import { FetchPrometheusClient } from '../../server/src/slo/prometheus/prometheus-client';
import { PrometheusQueryError } from '../../server/src/slo/prometheus/prometheus-response';
import { FakePrometheus } from '../fakes/fake-prometheus';

/**
 * The fetch-based HTTP API client against a fake Prometheus speaking the real protocol:
 * parameters, auth headers, result shapes and the classification of every failure.
 */
describe('FetchPrometheusClient against a fake Prometheus', () => {
  const prom = new FakePrometheus();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-prom-secrets-'));
  const at = new Date('2026-11-25T03:00:00.250Z');
  const server = (extra: Partial<PrometheusServer> = {}): PrometheusServer => ({ name: 'main', url: prom.url, timeout: '2s', timeoutSeconds: 2, rateWindow: '2m', rateWindowSeconds: 120, ...extra });
  const failure = async (p: Promise<unknown>): Promise<PrometheusQueryError> => {
    try {
      await p;
    } catch (err) {
      if (err instanceof PrometheusQueryError) return err;
      throw err;
    }
    throw new Error('expected the query to fail');
  };

  beforeAll(() => prom.start());
  afterAll(async () => {
    await prom.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => prom.reset());

  it('sends GET /api/v1/query with the query, the evaluation time and the timeout, and parses a vector', async () => {
    prom.on('sum(rate(http_requests_total[5m]))', { vector: [{ metric: { job: 'ranker' }, value: 12.5 }] });
    const r = await new FetchPrometheusClient(server()).query('sum(rate(http_requests_total[5m]))', at);
    expect(r).toEqual({ resultType: 'vector', samples: [{ metric: { job: 'ranker' }, timestamp: 1795575600.25, value: 12.5 }] });
    expect(prom.requests).toHaveLength(1);
    expect(prom.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/query', query: 'sum(rate(http_requests_total[5m]))', time: '1795575600.250', timeout: '2' });
    expect(prom.requests[0].headers.authorization).toBeUndefined();
  });

  it('parses matrix and scalar answers, and NaN and +Inf values', async () => {
    prom.on('m', { matrix: [{ metric: { le: '+Inf' }, values: [[1764039540, 1], [1764039600, '+Inf']] }] });
    prom.on('s', { scalar: 'NaN' });
    const client = new FetchPrometheusClient(server());
    expect(await client.query('m', at)).toEqual({
      resultType: 'matrix',
      series: [{ metric: { le: '+Inf' }, points: [{ timestamp: 1764039540, value: 1 }, { timestamp: 1764039600, value: Infinity }] }],
    });
    const s = await client.query('s', at);
    expect(s.resultType === 'scalar' && Number.isNaN(s.value)).toBe(true);
  });

  it('sends GET /api/v1/query_range with start, end and step for back-testing', async () => {
    prom.on('sum(rate(x[5m]))', { matrix: [{ values: [[1795575540, '1'], [1795575600, '2']] }] });
    const r = await new FetchPrometheusClient(server()).queryRange('sum(rate(x[5m]))', { start: new Date(at.getTime() - 60_000), end: at, stepSeconds: 60 });
    expect(r).toEqual({ resultType: 'matrix', series: [{ metric: {}, points: [{ timestamp: 1795575540, value: 1 }, { timestamp: 1795575600, value: 2 }] }] });
    expect(prom.requests[0]).toMatchObject({ path: '/api/v1/query_range', range: { start: '1795575540.250', end: '1795575600.250', step: '60' } });
  });

  it('keeps a path prefix of the server URL (Prometheus behind /prometheus/)', async () => {
    const proxy = http.createServer((req, res) => {
      const forward = http.request(`${prom.url}${(req.url ?? '').replace(/^\/prometheus/, '')}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/prometheus`;
      prom.on('up', { vector: [{ value: 1 }] });
      await new FetchPrometheusClient(server({ url })).query('up', at);
      expect(prom.requests[0].path).toBe('/api/v1/query');
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('sends a bearer token, and re-reads a bearer token file at every query', async () => {
    prom.on(/.*/, { vector: [{ value: 1 }] });
    prom.requireAuthorization('Bearer s3cret');
    await new FetchPrometheusClient(server({ bearerToken: 's3cret' })).query('up', at);
    expect(prom.requests[0].headers.authorization).toBe('Bearer s3cret');

    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'first-token\n');
    const client = new FetchPrometheusClient(server({ bearerTokenFile: file }));
    prom.requireAuthorization('Bearer first-token');
    await client.query('up', at);
    fs.writeFileSync(file, 'rotated-token\n');
    prom.requireAuthorization('Bearer rotated-token');
    await client.query('up', at);
    expect(prom.requests.slice(1).map((r) => r.headers.authorization)).toEqual(['Bearer first-token', 'Bearer rotated-token']);
  });

  it('sends basic auth with a password or a password file', async () => {
    prom.on(/.*/, { vector: [{ value: 1 }] });
    const expected = `Basic ${Buffer.from('headroom:pa:ss').toString('base64')}`;
    prom.requireAuthorization(expected);
    await new FetchPrometheusClient(server({ basicAuth: { username: 'headroom', password: 'pa:ss' } })).query('up', at);
    const file = path.join(dir, 'password');
    fs.writeFileSync(file, 'pa:ss\n');
    await new FetchPrometheusClient(server({ basicAuth: { username: 'headroom', passwordFile: file } })).query('up', at);
    expect(prom.requests.map((r) => r.headers.authorization)).toEqual([expected, expected]);
  });

  it('classifies a rejected credential, an unreadable credentials file and conflicting schemes', async () => {
    prom.requireAuthorization('Bearer right');
    expect(await failure(new FetchPrometheusClient(server({ bearerToken: 'wrong' })).query('up', at))).toMatchObject({ kind: 'http', message: 'HTTP 401: Unauthorized' });
    const missing = await failure(new FetchPrometheusClient(server({ bearerTokenFile: path.join(dir, 'nope') })).query('up', at));
    expect(missing).toMatchObject({ kind: 'credentials', message: `cannot read bearerTokenFile ${path.join(dir, 'nope')}: ENOENT` });
    const both = await failure(new FetchPrometheusClient(server({ bearerToken: 'a', basicAuth: { username: 'u', password: 'p' } })).query('up', at));
    expect(both.kind).toBe('credentials');
    // Only the wrong token reached the server; the other two failed before sending.
    expect(prom.requests).toHaveLength(1);
  });

  it("classifies Prometheus' error envelope, a bare 503 and a non-JSON 200", async () => {
    prom.on('bad', { error: '1:5: parse error: unexpected "}"', errorType: 'bad_data' });
    prom.on('exec', { error: 'query processing would load too many samples into memory', errorType: 'execution', status: 422 });
    prom.on('down', { httpStatus: 503, body: 'Service Unavailable' });
    prom.on('html', { httpStatus: 200, body: '<html>sign in</html>' });
    const client = new FetchPrometheusClient(server());
    expect(await failure(client.query('bad', at))).toMatchObject({ kind: 'api', message: 'bad_data: 1:5: parse error: unexpected "}" (HTTP 400)' });
    expect(await failure(client.query('exec', at))).toMatchObject({ kind: 'api', message: 'execution: query processing would load too many samples into memory (HTTP 422)' });
    expect(await failure(client.query('down', at))).toMatchObject({ kind: 'http', message: 'HTTP 503: Service Unavailable' });
    expect(await failure(client.query('html', at))).toMatchObject({ kind: 'bad-response' });
  });

  it('gives up after the server timeout, and reports a refused connection', async () => {
    prom.on('slow', { vector: [{ value: 1 }], delayMs: 2_000 });
    const started = Date.now();
    const slow = await failure(new FetchPrometheusClient(server({ timeout: '300ms', timeoutSeconds: 0.3 })).query('slow', at));
    const took = Date.now() - started;
    expect(slow).toMatchObject({ kind: 'timeout', message: 'no answer within 300ms' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_500);

    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await failure(new FetchPrometheusClient(server({ url: `http://127.0.0.1:${port}` })).query('up', at));
    expect(refused.kind).toBe('network');
    expect(refused.message).toContain('ECONNREFUSED');
  });
});
