import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHeadroomProcess, type HeadroomProcess } from '../support/headroom-process';
import { writeReport } from '../chaos/chaos-support';

/**
 * Fuzzing every ingest endpoint (issue 15): generated payloads — well-formed ones with hostile
 * values (NUL, lone surrogates, long and deep values, odd numbers) and arbitrary JSON or bytes —
 * against a real process. Never a 5xx, never an answer slower than ANSWER_WITHIN_MS, /healthz
 * answering throughout, and every item an endpoint says it accepted is stored. The counts go to
 * test-artifacts/fuzz-ingest.json (docs/operations.md quotes them).
 */
const RUNS = Number(process.env.HEADROOM_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.HEADROOM_FUZZ_SEED ?? Date.now() % 1_000_000);
const ANSWER_WITHIN_MS = 5000;
const ADMIN = 'fuzz-admin-token-0123456789abcdef';
const AM_KEY = 'hk_alertmanager_fuzz-0123456789abcdef';
const PD_KEY = 'hk_pagerduty_fuzz-0123456789abcdef';
const OTLP_KEY = 'hk_otlp_fuzz-0123456789abcdef';
const EXP_KEY = 'hk_experiments_fuzz-0123456789abcdef';

/** Text a hostile client would send: ordinary words, NUL, lone surrogates, markup, long runs. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\uD800', '\uDFFFx', '<!channel>', '${jndi:x}', '../../etc/passwd', '%00', '\\', '"'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)),
);
/** Mostly what a real sender writes, now and then something hostile: most requests then get past validation. */
const mostly = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown> = hostileText) => fc.oneof({ weight: 5, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostile });
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const oddNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e300, -1e300, Number.MAX_SAFE_INTEGER + 2, 0.5));
const anyValue = fc.oneof(hostileText, oddNumber, fc.boolean(), fc.constant(null), fc.jsonValue({ depthSize: 'small' }));
const recent = fc.integer({ min: -3600, max: 60 }).map((s) => new Date(Date.now() + s * 1000).toISOString());
const time = mostly(recent);
const labels = fc.dictionary(mostly(fc.constantFrom('service', 'severity', 'instance', 'team')) as fc.Arbitrary<string>, mostly(word) as fc.Arbitrary<string>, { maxKeys: 6 }).map((l) => ({ alertname: 'Fuzz', ...l }));

const alertmanagerBody = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    version: fc.constant('4'),
    status: fc.constantFrom('firing', 'resolved'),
    alerts: fc.array(fc.record({ status: mostly(fc.constantFrom('firing', 'resolved')), labels, annotations: fc.dictionary(word, mostly(fc.string({ maxLength: 60 }), anyValue) as fc.Arbitrary<string>, { maxKeys: 4 }), startsAt: time, fingerprint: fc.option(mostly(fc.stringMatching(/^[0-9a-f]{16}$/)), { nil: undefined }) }), { minLength: 0, maxLength: 5 }),
  }) },
  { weight: 1, arbitrary: fc.jsonValue() },
);
const pagerDutyBody = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    routing_key: fc.constantFrom(PD_KEY, PD_KEY, PD_KEY, 'wrong-key'),
    event_action: mostly(fc.constantFrom('trigger', 'trigger', 'acknowledge', 'resolve')),
    dedup_key: fc.option(mostly(word), { nil: undefined }),
    payload: fc.record({ summary: mostly(fc.string({ minLength: 1, maxLength: 80 })), source: mostly(word), severity: mostly(fc.constantFrom('critical', 'error', 'warning', 'info')), component: fc.option(mostly(word), { nil: undefined }), custom_details: fc.option(anyValue, { nil: undefined }) }),
  }) },
  { weight: 1, arbitrary: fc.jsonValue() },
);
const otlpJsonBody = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    resourceMetrics: fc.array(fc.record({
      resource: fc.record({ attributes: fc.array(fc.record({ key: mostly(fc.constantFrom('service.name', 'host.name')), value: fc.record({ stringValue: mostly(word) }) }), { maxLength: 3 }) }),
      scopeMetrics: fc.array(fc.record({
        metrics: fc.array(fc.record({
          name: mostly(word),
          sum: fc.record({
            isMonotonic: fc.boolean(),
            aggregationTemporality: fc.constantFrom(1, 2, 2, 0),
            dataPoints: fc.array(fc.record({
              attributes: fc.array(fc.record({ key: mostly(word), value: fc.oneof(fc.record({ stringValue: mostly(word) }), fc.record({ intValue: oddNumber }), fc.record({ kvlistValue: fc.constant({ values: [] }) })) }), { maxLength: 3 }),
              timeUnixNano: mostly(fc.integer({ min: -3600, max: 0 }).map((s) => `${Date.now() + s * 1000}000000`), fc.bigInt().map(String)),
              asInt: mostly(fc.nat().map(String), oddNumber),
            }), { maxLength: 4 }),
          }),
        }), { maxLength: 3 }),
      }), { maxLength: 2 }),
    }), { maxLength: 2 }),
  }) },
  { weight: 1, arbitrary: fc.jsonValue() },
);
/** A snapshot of the shipped ranker-v42 experiment; `at` grows with each one made, so most are new. */
let snapshotAt = Date.parse('2026-11-21T00:00:00Z');
const variant = fc.nat({ max: 100_000 }).chain((units) =>
  fc.record({ units: mostly(fc.constant(units), oddNumber), metrics: fc.record({ skip_rate: fc.record({ successes: mostly(fc.nat({ max: units }), oddNumber) }) }) }),
);
const observationBody = fc.oneof(
  { weight: 6, arbitrary: fc.record({ at: mostly(fc.constant(null).map(() => new Date((snapshotAt += 60_000)).toISOString())), variants: fc.record({ control: variant, 'ranker-v42': variant }) }) },
  { weight: 1, arbitrary: fc.jsonValue() },
);

interface Tally { tried: number; status: Record<string, number>; slowestMs: number }

describe('fuzzing the ingest endpoints (a real process, embedded database)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-fuzz-'));
  let app: HeadroomProcess;
  const tallies: Record<string, Tally> = {};
  let healthz = { probes: 0, slowestMs: 0, failures: 0 };
  let probing: Promise<void> | null = null;
  let done = false;

  beforeAll(async () => {
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir, HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'false', HEADROOM_LOG_LEVEL: 'error',
      HEADROOM_INTEGRATION_KEYS: `alertmanager:am:${AM_KEY},pagerduty:pd:${PD_KEY},otlp:otel:${OTLP_KEY},experiments:exp:${EXP_KEY}`,
    });
    probing = (async () => {
      while (!done) {
        const t0 = performance.now();
        try {
          await (await fetch(`${app.url}/healthz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) })).arrayBuffer();
        } catch {
          healthz.failures++;
        }
        healthz = { ...healthz, probes: healthz.probes + 1, slowestMs: Math.max(healthz.slowestMs, performance.now() - t0) };
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
  });

  afterAll(async () => {
    done = true;
    await probing;
    writeReport('fuzz-ingest', { seed: SEED, runsPerEndpoint: RUNS, endpoints: tallies, healthz });
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function send(endpoint: string, p: string, body: string | Uint8Array, headers: Record<string, string>): Promise<{ status: number; json: unknown }> {
    const tally = (tallies[endpoint] ??= { tried: 0, status: {}, slowestMs: 0 });
    const t0 = performance.now();
    const res = await fetch(`${app.url}${p}`, { method: 'POST', body, headers, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    const text = await res.text();
    tally.tried++;
    tally.slowestMs = Math.max(tally.slowestMs, Math.round(performance.now() - t0));
    const bucket = `${Math.floor(res.status / 100)}xx`;
    tally.status[bucket] = (tally.status[bucket] ?? 0) + 1;
    if (res.status >= 500) throw new Error(`${endpoint} answered ${res.status}: ${text.slice(0, 300)}\nbody: ${typeof body === 'string' ? body.slice(0, 500) : `${body.length} bytes`}`);
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json };
  }

  const api = async <T>(p: string): Promise<T> => (await fetch(`${app.url}${p}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as Promise<T>;
  const property = (arb: fc.Arbitrary<unknown>, check: (value: unknown) => Promise<void>) => fc.assert(fc.asyncProperty(arb, check), { numRuns: RUNS, seed: SEED, endOnFailure: true });

  it('Alertmanager webhook: never 5xx; every alert it says it opened or grouped has its incident', () =>
    property(alertmanagerBody, async (body) => {
      const { status, json } = await send('alertmanager', '/api/integrations/alertmanager', JSON.stringify(body), { 'content-type': 'application/json', authorization: `Bearer ${AM_KEY}` });
      if (status !== 200) return;
      for (const o of (json as { outcomes: Array<{ outcome: string; incidentId: number | null }> }).outcomes) {
        if (o.outcome === 'opened' || o.outcome === 'grouped' || o.outcome === 'opened-muted') expect((await api<{ id: number }>(`/api/incidents/${o.incidentId}`)).id).toBe(o.incidentId);
      }
    }));

  const acceptedDedupKeys = new Set<string>();
  it('PagerDuty Events v2: never 5xx; every trigger answered 202 has its incident (checked below)', () =>
    property(pagerDutyBody, async (body) => {
      const { status, json } = await send('pagerduty', '/api/integrations/pagerduty/v2/enqueue', JSON.stringify(body), { 'content-type': 'application/json' });
      if (status === 202 && (body as { event_action?: string }).event_action === 'trigger') acceptedDedupKeys.add((json as { dedup_key: string }).dedup_key);
    }));

  it('… and each of those triggers is stored as an alert of a PagerDuty incident', async () => {
    expect(acceptedDedupKeys.size).toBeGreaterThan(0);
    const incidents = await api<Array<{ id: number }>>(`/api/incidents?filter=${encodeURIComponent('{"source":"pagerduty"}')}&range=[0,499]`);
    const stored = new Set<string>();
    for (const { id } of incidents) for (const a of await api<Array<{ labels: Record<string, string> }>>(`/api/incidents/${id}/alerts?range=[0,499]`)) stored.add(a.labels.dedup_key);
    expect([...acceptedDedupKeys].filter((k) => !stored.has(k))).toEqual([]);
  });

  it('OTLP/HTTP JSON: never 5xx; a 200 says how many points it rejected, and the rest were taken', () =>
    property(otlpJsonBody, async (body) => {
      const { status, json } = await send('otlp-json', '/v1/metrics', JSON.stringify(body), { 'content-type': 'application/json', authorization: `Bearer ${OTLP_KEY}` });
      if (status === 200) expect(json).toEqual(expect.any(Object));
    }));

  it('OTLP/HTTP protobuf: arbitrary bytes never make a 5xx', () =>
    property(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
      await send('otlp-protobuf', '/v1/metrics', bytes as Uint8Array, { 'content-type': 'application/x-protobuf', authorization: `Bearer ${OTLP_KEY}` });
    }));

  it('experiment observations: never 5xx; a 201 snapshot is stored', () =>
    property(observationBody, async (body) => {
      const { status } = await send('experiments', '/api/experiments/ranker-v42/observations', JSON.stringify(body), { 'content-type': 'application/json', authorization: `Bearer ${EXP_KEY}` });
      if (status !== 201) return;
      const stored = await api<Array<{ at: string }>>('/api/experiments/ranker-v42/observations?range=[0,0]&sort=["at","DESC"]');
      expect(stored.length).toBe(1);
    }));

  it('kept /healthz answering throughout', () => {
    expect(healthz.probes).toBeGreaterThan(0);
    expect(healthz.failures).toBe(0);
    expect(healthz.slowestMs).toBeLessThan(1000);
  });
});
