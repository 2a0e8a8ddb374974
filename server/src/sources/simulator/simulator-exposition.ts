import type { TotalsSnapshot } from './simulator-totals';

/**
 * The simulated services' metrics in the Prometheus text exposition format, version 0.0.4: what
 * a service instrumented with a Prometheus client library would expose, so a real Prometheus
 * scrapes "the four services" and Prometheus-backed SLOs read them like any other job.
 *
 * Written by hand rather than with prom-client (which Headroom uses for its own /metrics): a
 * prom-client Histogram only takes one observation at a time, and the traffic model hands out
 * bucket counts for thousands of requests per second; the format itself is a few lines, and
 * `promtool check metrics` checks what we write in the tests.
 */

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export const REQUESTS_METRIC = 'http_requests_total';
export const DURATION_METRIC = 'http_request_duration_seconds';

type Labels = Record<string, string>;
interface Sample {
  name: string;
  labels: Labels;
  value: number;
}
interface Family {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  samples: Sample[];
}

// Label values escape backslash, double quote and line feed; HELP text backslash and line feed.
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value or an `le` bound as Prometheus' Go parser reads it (+Inf, -Inf, NaN spelled its way). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function renderFamilies(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      lines.push(`${s.name}${labels ? `{${labels}}` : ''} ${formatValue(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Per service: `http_requests_total{service, code}` (code "200" for the requests that succeeded,
 * "500" for the failed ones, so `code=~"5.."` selects the errors) and the classic histogram
 * `http_request_duration_seconds{service}` with cumulative `le` buckets, `_sum` and `_count`.
 */
export function simulatorExposition(snapshot: TotalsSnapshot): string {
  const requests: Family = { name: REQUESTS_METRIC, help: 'Requests served by the simulated service, by HTTP status code.', type: 'counter', samples: [] };
  const duration: Family = { name: DURATION_METRIC, help: 'Latency of the simulated service\'s requests, in seconds.', type: 'histogram', samples: [] };
  for (const t of snapshot.services) {
    const service = { service: t.service };
    requests.samples.push(
      { name: REQUESTS_METRIC, labels: { ...service, code: '200' }, value: t.requests - t.errors },
      { name: REQUESTS_METRIC, labels: { ...service, code: '500' }, value: t.errors },
    );
    let cumulative = 0;
    t.latencyBucketCounts.forEach((count, i) => {
      cumulative += count;
      const le = formatValue(snapshot.bounds[i] ?? Number.POSITIVE_INFINITY);
      duration.samples.push({ name: `${DURATION_METRIC}_bucket`, labels: { ...service, le }, value: cumulative });
    });
    duration.samples.push(
      { name: `${DURATION_METRIC}_sum`, labels: service, value: t.latencySumSeconds },
      { name: `${DURATION_METRIC}_count`, labels: service, value: t.requests },
    );
  }
  return renderFamilies([requests, duration]);
}
