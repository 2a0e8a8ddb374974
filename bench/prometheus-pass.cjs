// How long one evaluation pass of Prometheus-backed SLOs takes, against a local HTTP server
// answering like Prometheus after a fixed delay (its query time). Prints figures; not a test.
// Build first (npm run build -w server), then: node bench/prometheus-pass.cjs
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const dist = path.join(__dirname, '../server/dist/server/src/slo/prometheus');
const { FetchPrometheusClient } = require(path.join(dist, 'prometheus-client.js'));
const { PromqlSliReader } = require(path.join(dist, 'promql-sli-reader.js'));
const { parseQueryResponse } = require(path.join(dist, 'prometheus-response.js'));

const WINDOWS = [300, 1800, 3600, 7200, 21600, 86400, 259200, 2592000];

function startFake(delayMs) {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const q = new URL(req.url, 'http://x').searchParams.get('query') ?? '';
    const result = q.includes('_bucket')
      ? ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'].map((le, i) => ({ metric: { le }, value: [0, String(900 + i * 20)] }))
      : [{ metric: {}, value: [0, q.includes('5..') ? '0.5' : '100'] }];
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
    }, delayMs);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, server, count: () => requests })),
  );
}

function slos(n) {
  return Array.from({ length: n }, (_, i) => {
    const latency = i % 2 === 1;
    const sli = latency
      ? { kind: 'latency', source: 'prometheus', server: 'p', thresholdSeconds: 0.25, histogramMetric: `svc${i}_seconds`, selector: '{}' }
      : { kind: 'events', source: 'prometheus', server: 'p', errorQuery: `sum(rate(req_total{svc="${i}",code=~"5.."}[{{window}}]))`, totalQuery: `sum(rate(req_total{svc="${i}"}[{{window}}]))` };
    return { id: `svc${i}.slo`, service: `svc${i}`, name: 'slo', objective: 0.999, periodSeconds: 2592000, sli, alerting: { page: true, ticket: true, windows: null, minEvents: 0 }, severity: 'critical', runbookId: 'r', labels: {}, file: 'bench' };
  });
}

async function pass(sloCount, delayMs, concurrency) {
  const fake = await startFake(delayMs);
  const client = new FetchPrometheusClient({ name: 'p', url: fake.url, timeout: '30s', timeoutSeconds: 30 });
  const reader = new PromqlSliReader({ client: () => client }, { concurrencyPerServer: concurrency });
  const defs = slos(sloCount);
  await reader.windowCounts(defs, new Date(), WINDOWS); // warm up JIT and the connection pool
  // Median of three passes: the machine is shared, single passes are noisy.
  const runs = [];
  let before = 0;
  let out;
  for (let i = 0; i < 3; i++) {
    before = fake.count();
    const started = process.hrtime.bigint();
    out = await reader.windowCounts(defs, new Date(), WINDOWS);
    runs.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const ms = runs.sort((a, b) => a - b)[1];
  const errors = [...out.values()].filter((c) => c.error).length;
  fake.server.close();
  return { ms, queries: fake.count() - before, errors };
}

async function main() {
  console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}; ${WINDOWS.length} windows per SLO; half events (2 queries/window), half latency (1 query/window); median of 3 passes`);
  console.log('SLOs  query ms  concurrency  queries  pass ms  queries/s  errors');
  for (const [n, delay, c] of [
    [10, 5, 4],
    [50, 5, 4],
    [50, 5, 1],
    [50, 50, 4],
    [50, 50, 8],
    [200, 5, 4],
  ]) {
    const r = await pass(n, delay, c);
    console.log(
      `${String(n).padStart(4)}  ${String(delay).padStart(8)}  ${String(c).padStart(11)}  ${String(r.queries).padStart(7)}  ${r.ms.toFixed(0).padStart(7)}  ${(r.queries / (r.ms / 1000)).toFixed(0).padStart(9)}  ${String(r.errors).padStart(6)}`,
    );
  }

  // A Prometheus that accepts connections but never answers: the pass is bounded by about one
  // timeout, not (queries / concurrency) × timeout, because the server is not asked again.
  {
    const hung = http.createServer(() => undefined);
    await new Promise((r) => hung.listen(0, '127.0.0.1', r));
    let sent = 0;
    const inner = new FetchPrometheusClient({ name: 'p', url: `http://127.0.0.1:${hung.address().port}`, timeout: '1s', timeoutSeconds: 1 });
    const client = { server: 'p', query: (q, t) => (sent++, inner.query(q, t)) };
    const reader = new PromqlSliReader({ client: () => client }, { concurrencyPerServer: 4 });
    const started = process.hrtime.bigint();
    const out = await reader.windowCounts(slos(50), new Date(), WINDOWS);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const noData = [...out.values()].filter((c) => c.error).length;
    console.log(`unanswering server, timeout 1s, 50 SLOs (600 queries), concurrency 4: pass ${ms.toFixed(0)} ms, ${sent} queries sent, ${noData}/50 SLOs no-data`);
    hung.closeAllConnections();
    hung.close();
  }

  // Parsing alone: a 1 000-series vector answer, as a query without sum() might return.
  const big = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: Array.from({ length: 1000 }, (_, i) => ({ metric: { instance: `i${i}`, job: 'x' }, value: [1764000000, String(i)] })) } });
  const rounds = 200;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) parseQueryResponse(200, big);
  const perParse = Number(process.hrtime.bigint() - t0) / 1e6 / rounds;
  console.log(`parseQueryResponse, 1000-series vector (${(big.length / 1024).toFixed(0)} KiB): ${perParse.toFixed(2)} ms per answer`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
