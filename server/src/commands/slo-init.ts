import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { FetchPrometheusClient, type PrometheusClient } from '../slo/prometheus/prometheus-client';
import { PrometheusQueryError, type InstantSample } from '../slo/prometheus/prometheus-response';
import type { CommandOutput } from '../rules/openslo/openslo-command';
import { alertFileSchema, type PrometheusServer } from '../rules/slo-definition';
import { RulesError, formatProblem, parseYamlStrict } from '../rules/yaml-source';
import {
  STATUS_LABELS,
  chooseThreshold,
  counterCandidates,
  formatThreshold,
  histogramCandidates,
  planSloFile,
  promString,
  rateWindowFor,
  scrapeInterval,
  serviceNameFor,
  statusMatch,
  type Discovery,
  type StatusLabel,
} from './slo-init-plan';

export const SLO_INIT_USAGE = `  slo init --prometheus URL --job JOB [--out DIR] [--service NAME] [--server NAME]
                     write a starter SLO file (availability and latency) from the request
                     counter and latency histogram Prometheus has for JOB (docs/alerts.md)
`;

/** First line of every file `slo init` writes; a file without it is never overwritten. */
export const SLO_INIT_MARKER = '# Written by `headroom slo init`.';

/** How many candidate metrics are asked about before giving up (each is one query). */
const MAX_CANDIDATES = 5;

interface InitArgs {
  prometheus: string;
  job: string;
  out?: string;
  service?: string;
  server?: string;
}

export interface SloInitContext {
  /** Where SLO files go by default (HEADROOM_ALERTS_DIR), and where the starter runbook goes (HEADROOM_RUNBOOKS_DIR). */
  alertsDir: string;
  runbooksDir: string;
  /** Exit code for "nothing could be written". */
  exitFailed: number;
  now?: () => Date;
  /** Tests may swap the client; by default the same HTTP API client Prometheus-backed SLOs use. */
  client?: (server: PrometheusServer) => PrometheusClient;
}

/**
 * `headroom slo init`: asks Prometheus (instant queries, through the client Prometheus-backed
 * SLOs use) which series the job has, picks the request counter with a status label and a
 * latency histogram in seconds, and writes `<service>.yaml` with an availability and a latency
 * SLO — or the one it could find, saying what it looked for — plus a starter runbook when there
 * is none. Asks nothing; checks what it writes against the SLO file schema first.
 */
export async function runSloCommand(argv: string[], out: CommandOutput, ctx: SloInitContext): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    out.stderr(`headroom slo: ${args}\n\nUsage:\n${SLO_INIT_USAGE}`);
    return 64;
  }
  const service = args.service ?? serviceNameFor(args.job);
  if (!service || !/^[a-z0-9][a-z0-9-]*$/.test(service)) {
    out.stderr(`headroom slo: ${args.service ? `--service ${args.service}` : `the job name ${args.job}`} is not a service name (lowercase letters, digits and dashes): pass --service NAME\n`);
    return 64;
  }
  const fail = (message: string) => {
    out.stderr(`headroom slo init: ${message}\n`);
    return ctx.exitFailed;
  };
  const outDir = path.resolve(args.out ?? ctx.alertsDir);
  const target = path.join(outDir, `${service}.yaml`);
  if (fs.existsSync(target) && !fs.readFileSync(target, 'utf8').startsWith(SLO_INIT_MARKER)) {
    return fail(`${show(target)} exists and was not written by slo init (or its first line was removed to keep edits): not overwritten; pass --service or --out`);
  }
  const server = serverFor(args, outDir, target);
  if (typeof server === 'string') return fail(server);

  const declared: PrometheusServer = { name: server.name, url: args.prometheus, timeout: '10s', timeoutSeconds: 10, rateWindow: '2m', rateWindowSeconds: 120 };
  const client = (ctx.client ?? ((s) => new FetchPrometheusClient(s)))(declared);
  const now = ctx.now?.() ?? new Date();
  let found: Discovery;
  try {
    const discovered = await discover(client, args.job, now, (note) => out.stderr(`note: ${note}\n`));
    if (typeof discovered === 'string') return fail(discovered);
    found = discovered;
  } catch (err) {
    if (err instanceof PrometheusQueryError) return fail(`cannot ask Prometheus at ${args.prometheus}: ${err.message}`);
    throw err;
  }
  if (!found.counter && !found.histogram) return fail(`found neither a request counter nor a latency histogram for job=${promString(args.job)}: nothing written`);

  const rateWindow = server.declare ? rateWindowFor(found.scrapeIntervalSeconds) : undefined;
  if (rateWindow) out.stderr(`note: job=${promString(args.job)} is scraped about every ${Math.round(found.scrapeIntervalSeconds!)} s: the server gets rateWindow: ${rateWindow} (rate() needs two samples)\n`);
  const runbook = `${service}.md`;
  const file = planSloFile(found, { service, runbook, server: { ...server, rateWindow } });
  const threshold = found.histogram && formatThreshold(chooseThreshold(found.histogram.bounds)!);
  const header = [
    SLO_INIT_MARKER,
    `# From ${args.prometheus}, job=${promString(args.job)}, on ${now.toISOString().slice(0, 10)}. Objectives are starting points:`,
    `# ${[found.counter && '99.9% of requests without a server error', found.histogram && `99% within ${threshold}`].filter(Boolean).join(', ')}, over 30 days.`,
    '# Adjust them, and delete the first line to keep your edits (slo init overwrites only files that start with it).',
    '',
  ].join('\n');
  const text = `${header}${stringify(file, { lineWidth: 0 })}`;
  try {
    parseYamlStrict(show(target), text, alertFileSchema);
  } catch (err) {
    if (err instanceof RulesError) return fail(`the SLO file does not pass the schema (a bug in slo init; please report it):\n${err.problems.map(formatProblem).join('\n')}`);
    throw err;
  }

  // The runbook first: a running Headroom reloads alerts/ on change, and an SLO whose runbook
  // does not exist yet would be refused.
  const runbookFile = path.join(ctx.runbooksDir, runbook);
  const newRunbook = !fs.existsSync(runbookFile);
  if (newRunbook) writeAtomically(runbookFile, starterRunbook(service, file.slos!.map((s) => `${service}.${s.name}`)));
  writeAtomically(target, text);
  const what = [found.counter && `availability from ${found.counter.name}`, found.histogram && `latency from ${found.histogram.name} at ${threshold}`].filter(Boolean).join(', ');
  out.stdout(`wrote ${show(target)} (${what}${server.declare ? `, Prometheus server ${server.name}` : `, using the Prometheus server ${server.name} already declared`})\n`);
  if (newRunbook) out.stdout(`wrote ${show(runbookFile)} (a starter runbook: say there what the on-call engineer should check)\n`);
  out.stdout(`check it with: HEADROOM_ALERTS_DIR=${show(outDir)} npm run headroom -- validate\n`);
  return 0;
}

/**
 * Asks what the job has. Returns the findings, or why nothing can be written. Notes (what was
 * looked for and not found) go to `note`.
 */
async function discover(client: PrometheusClient, job: string, at: Date, note: (text: string) => void): Promise<Discovery | string> {
  const selector = `job=${promString(job)}`;
  const vector = async (promql: string): Promise<InstantSample[]> => {
    const result = await client.query(promql, at);
    return result.resultType === 'vector' ? result.samples : [];
  };
  const names = [...new Set((await vector(`count by (__name__) ({${selector}})`)).map((s) => s.metric.__name__).filter(Boolean))].sort();
  if (names.length === 0) {
    const jobs = (await vector('count by (job) (up)')).map((s) => s.metric.job).filter(Boolean).sort();
    return `no series with ${selector} (looked for any metric of the job at the time of the query)${jobs.length ? `; the jobs Prometheus scrapes: ${jobs.join(', ')}` : ''}`;
  }
  // The raw samples of `up` in the last 10 minutes (a range selector queried at an instant
  // answers them with their own timestamps): the gaps between them are the scrape interval.
  const up = await client.query(`up{${selector}}[10m]`, at);
  const found: Discovery = { job, scrapeIntervalSeconds: up.resultType === 'matrix' ? scrapeInterval(up.series.map((s) => s.points.map((p) => p.timestamp))) : undefined };

  const counters = counterCandidates(names).slice(0, MAX_CANDIDATES);
  const withoutStatus: string[] = [];
  for (const name of counters) {
    const samples = await vector(`count by (${STATUS_LABELS.join(', ')}) (${name}{${selector}})`);
    const values: Partial<Record<StatusLabel, string[]>> = {};
    for (const s of samples) for (const label of STATUS_LABELS) if (s.metric[label]) (values[label] ??= []).push(s.metric[label]);
    const status = statusMatch(values);
    if (status) {
      found.counter = { name, status };
      break;
    }
    withoutStatus.push(name);
  }
  if (!found.counter) {
    note(
      `no request counter for ${selector}: looked for *_total series with a status label (${STATUS_LABELS.join(', ')}) holding HTTP codes or gRPC codes` +
        (withoutStatus.length ? `; these have none: ${withoutStatus.join(', ')}` : '; the job has no *_total series') +
        '. No availability SLO written.',
    );
  }

  const histograms = histogramCandidates(names, found.counter?.name).slice(0, MAX_CANDIDATES);
  for (const bucket of histograms) {
    const bounds = (await vector(`count by (le) (${bucket}{${selector}})`)).map((s) => Number(s.metric.le === '+Inf' ? Infinity : s.metric.le));
    if (chooseThreshold(bounds) !== undefined) {
      found.histogram = { name: bucket.replace(/_bucket$/, ''), bounds: bounds.filter(Number.isFinite).sort((a, b) => a - b) };
      break;
    }
  }
  if (!found.histogram) {
    note(
      `no latency histogram for ${selector}: looked for a classic histogram in seconds (*_seconds_bucket series with le bounds)` +
        (histograms.length ? `; these have no finite bound: ${histograms.join(', ')}` : '') +
        '. No latency SLO written.',
    );
  }
  return found;
}

/**
 * The Prometheus server the SLOs name. A server with the same URL already declared in the
 * folder is reused (a second declaration of a name is an error at load); a different server
 * under the wanted name is a conflict to resolve with --server.
 */
function serverFor(args: InitArgs, outDir: string, target: string): { name: string; url: string; declare: boolean } | string {
  const wanted = args.server ?? 'default';
  const sameUrl = (u: string) => u.replace(/\/+$/, '') === args.prometheus.replace(/\/+$/, '');
  const existing: Array<{ name: string; url: string; file: string }> = [];
  if (fs.existsSync(outDir)) {
    for (const name of fs.readdirSync(outDir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const file = path.join(outDir, name);
      if (file === target) continue;
      try {
        const doc = parseYaml(fs.readFileSync(file, 'utf8')) as { prometheus?: Array<{ name?: unknown; url?: unknown }> } | null;
        for (const p of doc?.prometheus ?? []) if (typeof p?.name === 'string' && typeof p.url === 'string') existing.push({ name: p.name, url: p.url, file });
      } catch {
        // Not ours to judge here (several documents, OpenSLO, a syntax error): validate reports it.
      }
    }
  }
  const reuse = existing.find((p) => sameUrl(p.url) && (!args.server || p.name === args.server));
  if (reuse) return { name: reuse.name, url: reuse.url, declare: false };
  const clash = existing.find((p) => p.name === wanted);
  if (clash) return `${show(clash.file)} already declares a Prometheus server named ${wanted} (${clash.url}): pass --server NAME to declare ${args.prometheus} under another name`;
  return { name: wanted, url: args.prometheus, declare: true };
}

function parseArgs(argv: string[]): InitArgs | string {
  const [command, ...rest] = argv;
  if (command !== 'init') return command === undefined ? 'missing command' : `unknown command: slo ${command}`;
  const args: Partial<InitArgs> = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = /^--(prometheus|job|out|service|server)(?:=(.*))?$/.exec(rest[i]);
    if (!flag) return `unknown argument ${rest[i]}`;
    const value = flag[2] ?? rest[++i];
    if (value === undefined || value === '' || value.startsWith('--')) return `--${flag[1]} needs a value`;
    args[flag[1] as keyof InitArgs] = value;
  }
  if (!args.prometheus) return '--prometheus URL is required (the Prometheus HTTP API, e.g. http://prometheus:9090)';
  if (!URL.canParse(args.prometheus) || !/^https?:$/.test(new URL(args.prometheus).protocol)) return `--prometheus ${args.prometheus}: must be an http:// or https:// URL`;
  if (!args.job) return '--job JOB is required (the job label of the service, as on Prometheus\' targets page)';
  return args as InitArgs;
}

function starterRunbook(service: string, alerts: string[]): string {
  return `---
title: "${service}"
services: [${service}]
alerts: [${alerts.join(', ')}]
---
# ${service}

Written by \`headroom slo init\`. Say here what the on-call engineer should look at first when
an SLO of ${service} pages: its dashboards, recent deploys, its dependencies, how to roll back.
`;
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/** Relative to the working directory when inside it, so messages match what was typed. */
function show(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}
