import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Sample values may be given as numbers or as Prometheus spells them ("NaN", "+Inf"). */
type SampleValue = number | string;
type Labels = Record<string, string>;

export type FakeAnswer = (
  | { vector: Array<{ metric?: Labels; value: SampleValue }> }
  | { matrix: Array<{ metric?: Labels; values: Array<[number, SampleValue]> }> }
  | { scalar: SampleValue }
  /** Prometheus' error envelope; 400 bad_data unless told otherwise. */
  | { error: string; errorType?: string; status?: number }
  /** A bare HTTP answer, like a proxy in front of Prometheus gives (503, 502, 401). */
  | { httpStatus: number; body?: string }
) & {
  /** Answer only after this many milliseconds (to exceed a client's timeout). */
  delayMs?: number;
};

type Matcher = string | RegExp | ((query: string) => boolean);

export interface FakePrometheusRequest {
  method: string;
  path: string;
  query: string;
  /** The `time` parameter as sent (unix seconds or RFC 3339), or undefined. */
  time?: string;
  timeout?: string;
  /** start, end and step of a query_range request, as sent. */
  range?: { start: string; end: string; step: string };
  headers: http.IncomingHttpHeaders;
  at: number;
}

/**
 * A small fake of the Prometheus HTTP API v1: `GET|POST /api/v1/query` (and `query_range`,
 * answered by the same rules, so give those a matrix) with the real JSON
 * shapes (vector, matrix, scalar, the error envelope), programmable per query text, recording
 * every request so tests can assert the time, the auth header and the PromQL sent. A query no
 * rule matches gets an empty vector, which is what Prometheus answers for an unknown metric.
 */
export class FakePrometheus {
  readonly requests: FakePrometheusRequest[] = [];
  private rules: Array<{ match: Matcher; answer: FakeAnswer | ((query: string) => FakeAnswer) }> = [];
  private expectedAuth?: string;
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    // Slow answers may still be pending: drop their sockets instead of waiting for them.
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Answers queries that equal `match` (string), match it (RegExp) or satisfy it; the latest rule wins. */
  on(match: Matcher, answer: FakeAnswer | ((query: string) => FakeAnswer)): this {
    this.rules.push({ match, answer });
    return this;
  }

  /** Answers 401 unless the Authorization header is exactly this (undefined: no check). */
  requireAuthorization(header: string | undefined): this {
    this.expectedAuth = header;
    return this;
  }

  reset(): void {
    this.rules = [];
    this.requests.length = 0;
    this.expectedAuth = undefined;
  }

  queries(): string[] {
    return this.requests.map((r) => r.query);
  }

  /** Waits, but no longer than the client does: a slow answer nobody awaits keeps nothing alive. */
  private delay(ms: number, res: http.ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.timers.add(timer);
      res.once('close', done);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private answerFor(query: string): FakeAnswer {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const { match, answer } = this.rules[i];
      const hit = typeof match === 'string' ? match === query : match instanceof RegExp ? match.test(query) : match(query);
      if (hit) return typeof answer === 'function' ? answer(query) : answer;
    }
    return { vector: [] };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const params = new URLSearchParams(url.search);
    if (req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      new URLSearchParams(Buffer.concat(chunks).toString('utf8')).forEach((v, k) => params.set(k, v));
    }
    const send = (status: number, payload: string, type = 'application/json') => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': type });
      res.end(payload);
    };
    const query = params.get('query') ?? '';
    const time = params.get('time') ?? undefined;
    const range = url.pathname.endsWith('_range') ? { start: params.get('start') ?? '', end: params.get('end') ?? '', step: params.get('step') ?? '' } : undefined;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, time, range, timeout: params.get('timeout') ?? undefined, headers: req.headers, at: Date.now() });

    if (url.pathname !== '/api/v1/query' && url.pathname !== '/api/v1/query_range') return send(404, '404 page not found\n', 'text/plain; charset=utf-8');
    if (req.method !== 'GET' && req.method !== 'POST') return send(405, 'Method Not Allowed\n', 'text/plain; charset=utf-8');
    if (this.expectedAuth !== undefined && req.headers.authorization !== this.expectedAuth) {
      return send(401, 'Unauthorized\n', 'text/plain; charset=utf-8');
    }
    if (!query) return send(400, JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": unknown position: parse error: no expression found in input' }));

    const answer = this.answerFor(query);
    if (answer.delayMs) await this.delay(answer.delayMs, res);
    // Samples carry the evaluation time, as in Prometheus' answers.
    const at = time !== undefined && /^\d+(\.\d+)?$/.test(time) ? Number(time) : Date.now() / 1000;
    const str = (v: SampleValue) => (typeof v === 'string' ? v : Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
    if ('httpStatus' in answer) return send(answer.httpStatus, answer.body ?? '', 'text/plain; charset=utf-8');
    if ('error' in answer) {
      return send(answer.status ?? 400, JSON.stringify({ status: 'error', errorType: answer.errorType ?? 'bad_data', error: answer.error }));
    }
    let data: unknown;
    if ('vector' in answer) data = { resultType: 'vector', result: answer.vector.map((s) => ({ metric: s.metric ?? {}, value: [at, str(s.value)] })) };
    else if ('matrix' in answer) data = { resultType: 'matrix', result: answer.matrix.map((s) => ({ metric: s.metric ?? {}, values: s.values.map(([t, v]) => [t, str(v)]) })) };
    else data = { resultType: 'scalar', result: [at, str(answer.scalar)] };
    send(200, JSON.stringify({ status: 'success', data }));
  }
}
