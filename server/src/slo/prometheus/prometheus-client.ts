import { boundedFetch, BoundedFetchError } from '../../common/bounded-fetch';
import { readFile } from 'node:fs/promises';
import type { PrometheusServer } from '../../rules/slo-definition';
import { PrometheusQueryError, parseQueryResponse, type QueryResult } from './prometheus-response';

/** One Prometheus (or Thanos, Mimir, VictoriaMetrics: anything serving the same API). */
export interface PrometheusClient {
  /** The server's name in the alerts files, prefixed to every error an SLO shows. */
  readonly server: string;
  /** `GET /api/v1/query` evaluated at `time`; throws PrometheusQueryError. */
  query(promql: string, time: Date): Promise<QueryResult>;
  /** `GET /api/v1/query_range` (a matrix), for back-testing over past data. */
  queryRange(promql: string, range: { start: Date; end: Date; stepSeconds: number }): Promise<QueryResult>;
}

/** Clients by server name; looked up at each pass so a reload of the rules takes effect. */
export interface PrometheusClients {
  client(server: string): PrometheusClient | undefined;
}

type Fetch = (input: string, init: { method: string; headers: Record<string, string>; signal: AbortSignal }) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

export interface FetchClientDeps {
  fetch?: Fetch;
  /** Reads a credentials file; tests swap it. */
  readSecret?: (file: string) => Promise<string>;
}

// Prometheus trims credentials files the same way, so a trailing newline from `echo` is harmless.
const readTrimmed = async (file: string) => (await readFile(file, 'utf8')).trim();

/** The largest answer read from Prometheus (a query that selects far too many series fails with a reason instead of filling memory). */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * The HTTP API client. Credentials files are read at every query (like Prometheus'
 * credentials_file), so a rotated token is picked up without a restart; the per-server timeout
 * covers the whole exchange, body included, and is also passed to Prometheus so it stops work
 * the client no longer waits for.
 */
export class FetchPrometheusClient implements PrometheusClient {
  readonly server: string;
  private readonly fetch: Fetch;
  private readonly readSecret: (file: string) => Promise<string>;
  private readonly base: string;

  constructor(
    private readonly config: PrometheusServer,
    deps: FetchClientDeps = {},
  ) {
    this.server = config.name;
    this.fetch = deps.fetch ?? ((input, init) => boundedFetch(input, init, MAX_ANSWER_BYTES));
    this.readSecret = deps.readSecret ?? readTrimmed;
    // Keep a path prefix (Prometheus behind /prometheus/, Mimir's /prometheus/): resolve
    // against the URL as a directory.
    this.base = config.url.endsWith('/') ? config.url : `${config.url}/`;
  }

  query(promql: string, time: Date): Promise<QueryResult> {
    return this.get('api/v1/query', { query: promql, time: unixSeconds(time) });
  }

  queryRange(promql: string, range: { start: Date; end: Date; stepSeconds: number }): Promise<QueryResult> {
    return this.get('api/v1/query_range', { query: promql, start: unixSeconds(range.start), end: unixSeconds(range.end), step: String(range.stepSeconds) });
  }

  private async get(path: string, params: Record<string, string>): Promise<QueryResult> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    // Float seconds, which the API reads as a duration; Prometheus stops the query after it.
    url.searchParams.set('timeout', String(this.config.timeoutSeconds));
    const headers: Record<string, string> = { accept: 'application/json', ...(await this.authHeaders()) };

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.config.timeoutSeconds * 1000);
    try {
      const res = await this.fetch(url.toString(), { method: 'GET', headers, signal: controller.signal });
      const body = await res.text();
      return parseQueryResponse(res.status, body);
    } catch (err) {
      if (err instanceof PrometheusQueryError) throw err;
      if (err instanceof BoundedFetchError) throw new PrometheusQueryError('network', err.message);
      if (controller.signal.aborted) throw new PrometheusQueryError('timeout', `no answer within ${this.config.timeout}`);
      throw new PrometheusQueryError('network', networkReason(err));
    } finally {
      clearTimeout(timer);
    }
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const c = this.config;
    const schemes = [c.bearerToken, c.bearerTokenFile, c.basicAuth].filter((x) => x !== undefined).length;
    if (schemes > 1) throw new PrometheusQueryError('credentials', 'set only one of bearerToken, bearerTokenFile and basicAuth');
    if (c.bearerToken) return { authorization: `Bearer ${c.bearerToken}` };
    if (c.bearerTokenFile) return { authorization: `Bearer ${await this.secret(c.bearerTokenFile, 'bearerTokenFile')}` };
    if (c.basicAuth) {
      const { username, password, passwordFile } = c.basicAuth;
      if (password !== undefined && passwordFile !== undefined) throw new PrometheusQueryError('credentials', 'set only one of basicAuth.password and basicAuth.passwordFile');
      const pass = passwordFile !== undefined ? await this.secret(passwordFile, 'basicAuth.passwordFile') : (password ?? '');
      return { authorization: `Basic ${Buffer.from(`${username}:${pass}`, 'utf8').toString('base64')}` };
    }
    return {};
  }

  private async secret(file: string, field: string): Promise<string> {
    let value: string;
    try {
      value = await this.readSecret(file);
    } catch (err) {
      throw new PrometheusQueryError('credentials', `cannot read ${field} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (value === '') throw new PrometheusQueryError('credentials', `${field} ${file} is empty`);
    return value;
  }
}

const unixSeconds = (d: Date) => (d.getTime() / 1000).toFixed(3);

/** fetch wraps the socket error in `cause`; that is the part worth showing (ECONNREFUSED…). */
function networkReason(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.message || e.cause?.code || e.message || String(err);
}

/**
 * Builds one FetchPrometheusClient per declared server and keeps it while the declaration is
 * the same object (a rules reload brings new objects, hence new clients).
 */
export class DeclaredPrometheusClients implements PrometheusClients {
  private readonly cache = new WeakMap<PrometheusServer, PrometheusClient>();

  constructor(
    private readonly servers: () => readonly PrometheusServer[],
    private readonly create: (server: PrometheusServer) => PrometheusClient = (s) => new FetchPrometheusClient(s),
  ) {}

  client(name: string): PrometheusClient | undefined {
    const server = this.servers().find((s) => s.name === name);
    if (!server) return undefined;
    let c = this.cache.get(server);
    if (!c) {
      c = this.create(server);
      this.cache.set(server, c);
    }
    return c;
  }
}
