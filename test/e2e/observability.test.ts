import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/** Health, readiness, Prometheus metrics and OTLP trace export of a running process. */
describe('observability', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-obs-'));
  const traces: Array<{ path: string; body: string }> = [];
  let collector: http.Server;
  let app: HeadroomProcess;

  beforeAll(async () => {
    // A stand-in OpenTelemetry collector: records what the OTLP/HTTP exporter posts.
    collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        traces.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const { port } = collector.address() as AddressInfo;
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: 'obs-admin-token-0123456789',
      HEADROOM_METRICS_PUBLIC: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await new Promise((r) => collector.close(r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers liveness and readiness without a token', async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${app.url}/readyz`)).json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', notifications: 'ok', escalations: 'ok', sources: 'ok' } });
  });

  it('refuses API routes without a valid token, with a JSON 401, and unknown API routes with a JSON 404', async () => {
    const none = await fetch(`${app.url}/api/incidents`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { message: string }).message).toContain('Bearer');
    expect((await fetch(`${app.url}/api/incidents`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const unknown = await fetch(`${app.url}/api/nothing-here`, { headers: { authorization: 'Bearer obs-admin-token-0123456789' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/json');
  });

  it('serves Prometheus metrics, here only with a token (HEADROOM_METRICS_PUBLIC=false)', async () => {
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    const text = await waitFor('an evaluation counted', async () => {
      const body = await (await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer obs-admin-token-0123456789' } })).text();
      return /headroom_slo_evaluations_total\{trigger="ingest"\} [1-9]/.test(body) ? body : null;
    });
    expect(text).toContain('# TYPE headroom_outbox_pending gauge');
    expect(text).toContain('headroom_process_nodejs_heap_size_used_bytes');
  });

  it('exports pipeline spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    await waitFor('spans at the collector', () => traces.some((t) => t.path === '/v1/traces' && t.body.includes('slo.evaluate')), 20_000);
    const all = traces.map((t) => t.body).join('');
    expect(all).toContain('sources.simulator.generate');
    expect(all).toContain('"headroom"');
  });
});
