import { decodeRequest } from '../otlp/otlp-proto';
import { normalizeRequest } from '../otlp/otlp-points';
import { simulatorOtlpRequest, OTLP_DURATION_METRIC, OTLP_REQUESTS_METRIC } from './simulator-otlp';
import type { TotalsSnapshot } from './simulator-totals';

const startedAt = new Date('2026-03-02T20:00:00Z');
const until = new Date('2026-03-02T20:01:30Z');
const snapshot: TotalsSnapshot = {
  startedAt,
  until,
  bounds: [0.1, 0.25],
  services: [
    { service: 'now-playing-ranker', requests: 10_000_000_123, errors: 3, latencyBucketCounts: [9_000_000_000, 1_000_000_000, 123], latencySumSeconds: 725.5 },
    { service: 'feature-store', requests: 0, errors: 0, latencyBucketCounts: [0, 0, 0], latencySumSeconds: 0 },
  ],
};

/** Decoded and checked by Headroom's own OTLP receiver code, as a push to /v1/metrics would be. */
describe('simulatorOtlpRequest', () => {
  const body = Buffer.from(JSON.stringify(simulatorOtlpRequest(snapshot)));
  const normalized = normalizeRequest(decodeRequest(body, 'json'), { nowMs: until.getTime(), maxFutureMs: 60_000 });

  it('is an OTLP/JSON request the receiver takes whole', () => {
    expect(normalized.rejected).toEqual([]);
    expect(normalized.ignored).toBe(0);
    expect(normalized.points).toHaveLength(2 * 3);
  });

  it('counts requests per service and status code as cumulative monotonic sums since the start', () => {
    const sums = normalized.points.filter((p) => p.metric === OTLP_REQUESTS_METRIC && p.service === 'now-playing-ranker');
    expect(sums.map((p) => [p.attributes['http.response.status_code'], p.data])).toEqual([
      [200, { kind: 'sum', value: 10_000_000_120 }],
      [500, { kind: 'sum', value: 3 }],
    ]);
    for (const p of sums) {
      expect(p.temporality).toBe('cumulative');
      expect(p.startNs).toBe(startedAt.getTime() * 1e6);
      expect(p.timeNs).toBe(until.getTime() * 1e6);
    }
  });

  it('sends the latency histogram with its explicit bounds in seconds', () => {
    const [h] = normalized.points.filter((p) => p.metric === OTLP_DURATION_METRIC && p.service === 'now-playing-ranker');
    expect(h.unit).toBe('s');
    expect(h.temporality).toBe('cumulative');
    expect(h.data).toEqual({ kind: 'histogram', bounds: [0.1, 0.25], counts: [9_000_000_000, 1_000_000_000, 123] });
  });
});
