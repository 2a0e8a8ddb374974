import type { AlertFileInput, SloInput } from '../rules/openslo/openslo-converter';

/**
 * `headroom slo init`, the pure half: from what a Prometheus server has for one job (metric
 * names, the status labels of request counters, the bucket bounds of histograms), choose the
 * request counter and the latency histogram and write a starter SLO file. Nothing here talks
 * to Prometheus; slo-init.ts asks the questions and hands the answers in.
 */

/** Labels that carry a response status, in the order they are preferred. */
export const STATUS_LABELS = ['code', 'status_code', 'status', 'http_status', 'http_status_code', 'response_code', 'grpc_code'] as const;
export type StatusLabel = (typeof STATUS_LABELS)[number];

/** gRPC codes that are the server's fault (what the SRE books count as errors). */
const GRPC_SERVER_ERRORS = ['Unknown', 'DeadlineExceeded', 'Internal', 'Unavailable', 'DataLoss'];

/** The latency threshold a starter SLO aims at; the nearest bucket bound is used so the SLI is exact. */
export const TARGET_THRESHOLD_SECONDS = 0.25;

/** Exporters' own metrics, never a service's requests. */
const INTERNAL = /^(go|process|promhttp|prometheus|scrape|net_conntrack|up$)/;

/** Counters that may count requests, best first: `*_total` names, HTTP and "request" words first. */
export function counterCandidates(names: readonly string[]): string[] {
  const score = (n: string) => (/request/.test(n) ? 4 : 0) + (/http/.test(n) ? 2 : 0) + (/server/.test(n) ? 1 : 0) + (/^grpc_server_handled_total$/.test(n) ? 5 : 0);
  return names.filter((n) => n.endsWith('_total') && !INTERNAL.test(n)).sort((a, b) => score(b) - score(a) || a.localeCompare(b));
}

/** Classic histograms in seconds (their `_bucket` series), best first: request durations first. */
export function histogramCandidates(names: readonly string[], counter?: string): string[] {
  const stem = counter?.split('_')[0];
  const score = (n: string) =>
    (/request/.test(n) ? 4 : 0) + (/duration|latency/.test(n) ? 2 : 0) + (/http/.test(n) ? 2 : 0) + (stem && n.startsWith(`${stem}_`) ? 1 : 0);
  return names.filter((n) => n.endsWith('_seconds_bucket') && !INTERNAL.test(n)).sort((a, b) => score(b) - score(a) || a.localeCompare(b));
}

export interface StatusMatch {
  label: StatusLabel;
  /** The PromQL matcher for errors, e.g. `code=~"5.."`. */
  errors: string;
}

/**
 * Which label holds the status, and which of its values are server errors. `values` are the
 * values each status label has on the counter's series (absent labels have none).
 */
export function statusMatch(values: Partial<Record<StatusLabel, readonly string[]>>): StatusMatch | undefined {
  for (const label of STATUS_LABELS) {
    const seen = values[label] ?? [];
    if (seen.length === 0) continue;
    if (label === 'grpc_code') return { label, errors: `${label}=~"${GRPC_SERVER_ERRORS.join('|')}"` };
    // Some exporters bucket statuses as 2xx/4xx/5xx; most report the code itself.
    if (seen.some((v) => /^[1-5]xx$/i.test(v)) && !seen.some((v) => /^\d{3}$/.test(v))) return { label, errors: `${label}=~"5xx|5XX"` };
    if (seen.some((v) => /^\d{3}$/.test(v))) return { label, errors: `${label}=~"5.."` };
  }
  return undefined;
}

/** The finite bucket bound nearest the target, by ratio (0.2 and 0.3125 are equally near 0.25); a tie takes the lower, stricter bound. */
export function chooseThreshold(bounds: readonly number[], target = TARGET_THRESHOLD_SECONDS): number | undefined {
  const finite = bounds.filter((b) => Number.isFinite(b) && b > 0);
  if (finite.length === 0) return undefined;
  const distance = (b: number) => Math.abs(Math.log(b / target));
  return finite.reduce((best, b) => (distance(b) < distance(best) || (distance(b) === distance(best) && b < best) ? b : best));
}

/** 0.25 → "250ms", 1 → "1s", 0.0005 → 0.0005 (the schema's forms). */
export function formatThreshold(seconds: number): string | number {
  const ms = seconds * 1000;
  if (Math.abs(ms - Math.round(ms)) < 1e-9 && ms >= 1) return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
  return seconds;
}

/** A job name as a Headroom service name (lowercase letters, digits and dashes), or undefined. */
export function serviceNameFor(job: string): string | undefined {
  const name = job.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^[a-z0-9][a-z0-9-]*$/.test(name) ? name : undefined;
}

/** A PromQL string literal (double quotes; backslashes and quotes escaped). */
export const promString = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export interface Discovery {
  job: string;
  /** About how often Prometheus scrapes the job (from the samples of `up`), if it could tell. */
  scrapeIntervalSeconds?: number;
  /** The request counter and how its errors are told apart, if one was found. */
  counter?: { name: string; status: StatusMatch };
  /** The latency histogram (base name, without `_bucket`) and its finite bucket bounds, if found. */
  histogram?: { name: string; bounds: number[] };
}

export interface PlanOptions {
  service: string;
  runbook: string;
  /**
   * The Prometheus server SLOs name, and whether the file declares it (it may exist already);
   * `rateWindow` when the job is scraped too seldom for the default (2m).
   */
  server: { name: string; url: string; declare: boolean; rateWindow?: string };
}

/**
 * The scrape interval, from the sample timestamps (seconds) of each target's `up` series: the
 * median gap of the target scraped most often (a missed scrape makes one gap longer, not the
 * median). Undefined without two samples of one target.
 */
export function scrapeInterval(targets: ReadonlyArray<readonly number[]>): number | undefined {
  const medians = targets
    .filter((t) => t.length >= 2)
    .map((t) => {
      const gaps = t.slice(1).map((x, i) => x - t[i]).sort((a, b) => a - b);
      return gaps[Math.floor(gaps.length / 2)];
    });
  return medians.length ? Math.min(...medians) : undefined;
}

/** The server's default rateWindow, in seconds (rules/slo-definition.ts). */
const DEFAULT_RATE_WINDOW_SECONDS = 120;

/**
 * The rateWindow the pull needs for a job scraped every `scrapeIntervalSeconds`: rate() needs
 * two samples in its window, so at least twice the interval, in whole minutes; undefined when
 * the default (2m) is enough.
 */
export function rateWindowFor(scrapeIntervalSeconds: number | undefined): string | undefined {
  if (scrapeIntervalSeconds === undefined || 2 * scrapeIntervalSeconds <= DEFAULT_RATE_WINDOW_SECONDS) return undefined;
  return `${Math.ceil((2 * scrapeIntervalSeconds) / 60)}m`;
}

/** The starter SLO file: availability from the counter, latency from the histogram (whichever were found). */
export function planSloFile(found: Discovery, options: PlanOptions): AlertFileInput {
  const job = `job=${promString(found.job)}`;
  const slos: SloInput[] = [];
  if (found.counter) {
    const { name, status } = found.counter;
    slos.push({
      name: 'availability',
      description: `Share of requests answered without a server error (${name}, ${status.errors}).`,
      objective: 0.999,
      period: '30d',
      sli: {
        kind: 'events',
        source: 'prometheus',
        prometheus: {
          server: options.server.name,
          // `or vector(0)`: a service that has not failed yet has no error series at all.
          errorQuery: `sum(rate(${name}{${job},${status.errors}}[{{window}}])) or vector(0)`,
          totalQuery: `sum(rate(${name}{${job}}[{{window}}]))`,
        },
      },
      runbook: options.runbook,
    });
  }
  if (found.histogram) {
    const threshold = chooseThreshold(found.histogram.bounds)!;
    slos.push({
      name: 'latency',
      description: `Share of requests answered within ${formatThreshold(threshold)} (${found.histogram.name}).`,
      objective: 0.99,
      period: '30d',
      sli: {
        kind: 'latency',
        source: 'prometheus',
        threshold: formatThreshold(threshold),
        prometheus: { server: options.server.name, histogramMetric: found.histogram.name, selector: `{${job}}` },
      },
      runbook: options.runbook,
    });
  }
  return {
    service: options.service,
    slos,
    ...(options.server.declare
      ? { prometheus: [{ name: options.server.name, url: options.server.url, ...(options.server.rateWindow ? { rateWindow: options.server.rateWindow } : {}) }] }
      : {}),
  };
}
