import { evaluateBurnRate, type AlertWindowPair, type WindowCounts } from './burn-rate';

/**
 * Back-testing: replays stored per-minute history through an SLO's alert rules and reports
 * when they would have paged and ticketed. Pure: the caller loads the minutes.
 *
 * A *breach* here is a run of consecutive minutes that each burned the budget at least as fast
 * as the fastest page pair's threshold (14.4× for a 30-day SLO): the service was really failing
 * at page speed. Its *detection time* is how long after the breach began the first page fired.
 */
export interface MinuteCounts {
  /** Start of the minute, ms since the epoch; consecutive, one per minute. */
  at: number;
  good: number;
  total: number;
}

export interface BacktestInput {
  objective: number;
  pairs: AlertWindowPair[];
  minEvents?: number;
  /** History from (from − longest window) to `to`, one entry per minute (missing minutes = 0). */
  minutes: MinuteCounts[];
  from: number;
  to: number;
  stepMs?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AlertPeriod {
  severity: 'page' | 'ticket';
  start: string;
  end: string;
  durationSeconds: number;
}

export interface Breach {
  start: string;
  end: string;
  durationSeconds: number;
  /** null when no page fired during or after the breach. */
  detectionSeconds: number | null;
}

export interface BacktestResult {
  from: string;
  to: string;
  stepSeconds: number;
  evaluations: number;
  alerts: AlertPeriod[];
  breaches: Breach[];
  summary: { pages: number; tickets: number; pagedSeconds: number; ticketedSeconds: number; breaches: number; undetected: number };
}

const MINUTE = 60_000;
/** Evaluation steps between two progress reports (and, for backtestYielding, two turns of the event loop). */
const CHUNK = 500;

/** Runs a back-test to the end at once (the CLI, tests). */
export function backtest(input: BacktestInput): BacktestResult {
  const run = backtestSteps(input);
  for (let next = run.next(); ; next = run.next()) {
    if (next.done) return next.value;
    input.onProgress?.(next.value.done, next.value.total);
  }
}

/**
 * Runs a back-test in chunks of CHUNK evaluation steps, giving the event loop a turn between
 * two (`pause`), so a long one served over HTTP never holds up paging, ingest or /healthz.
 */
export async function backtestYielding(input: BacktestInput, pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))): Promise<BacktestResult> {
  const run = backtestSteps(input);
  for (let next = run.next(); ; next = run.next()) {
    if (next.done) return next.value;
    input.onProgress?.(next.value.done, next.value.total);
    await pause();
  }
}

/** The back-test as steps: yields progress every CHUNK evaluations, returns the result. */
function* backtestSteps(input: BacktestInput): Generator<{ done: number; total: number }, BacktestResult> {
  const step = input.stepMs ?? MINUTE;
  const budget = 1 - input.objective;
  const byMinute = new Map(input.minutes.map((m) => [m.at, m]));
  const windows = [...new Set(input.pairs.flatMap((p) => [p.long, p.short]))];
  // Prefix sums over the minutes make every window sum O(1).
  const first = input.minutes.length ? input.minutes[0].at : input.from;
  const count = Math.max(0, Math.ceil((input.to - first) / MINUTE) + 1);
  const goodPrefix = new Float64Array(count + 1);
  const totalPrefix = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) {
    const m = byMinute.get(first + i * MINUTE);
    goodPrefix[i + 1] = goodPrefix[i] + (m?.good ?? 0);
    totalPrefix[i + 1] = totalPrefix[i] + (m?.total ?? 0);
  }
  // Minutes that start at or after t - w and before t (the store's window convention).
  const sumWindow = (t: number, seconds: number): WindowCounts => {
    const hi = Math.min(count, Math.max(0, Math.ceil((t - first) / MINUTE)));
    const lo = Math.min(hi, Math.max(0, Math.ceil((t - seconds * 1000 - first) / MINUTE)));
    return { good: goodPrefix[hi] - goodPrefix[lo], total: totalPrefix[hi] - totalPrefix[lo] };
  };

  const alerts: AlertPeriod[] = [];
  const open: Partial<Record<'page' | 'ticket', number>> = {};
  const pageStarts: number[] = [];
  // Steps every `step` from `from`, plus a last one exactly at `to` when the grid misses it.
  const grid = Math.max(0, Math.floor((input.to - input.from) / step) + 1);
  const steps = grid > 0 && input.from + (grid - 1) * step < input.to ? grid + 1 : grid;
  const stepAt = (i: number) => (i < grid ? input.from + i * step : input.to);
  const close = (severity: 'page' | 'ticket', end: number) => {
    const start = open[severity]!;
    alerts.push({ severity, start: new Date(start).toISOString(), end: new Date(end).toISOString(), durationSeconds: (end - start) / 1000 });
    delete open[severity];
  };
  for (let i = 0; i < steps; i++) {
    const t = stepAt(i);
    const counts = new Map(windows.map((w) => [w, sumWindow(t, w)]));
    const result = evaluateBurnRate({ objective: input.objective, pairs: input.pairs, windows: counts, minEvents: input.minEvents });
    const firing = { page: result.pairs.some((p) => p.firing && p.pair.severity === 'page'), ticket: result.pairs.some((p) => p.firing && p.pair.severity === 'ticket') };
    for (const severity of ['page', 'ticket'] as const) {
      if (firing[severity] && open[severity] === undefined) {
        open[severity] = t;
        if (severity === 'page') pageStarts.push(t);
      } else if (!firing[severity] && open[severity] !== undefined) close(severity, t);
    }
    if (i % CHUNK === 0 || i === steps - 1) yield { done: i + 1, total: steps };
  }
  const end = steps > 0 ? stepAt(steps - 1) : input.from;
  for (const severity of ['page', 'ticket'] as const) if (open[severity] !== undefined) close(severity, end);

  const fastest = Math.max(0, ...input.pairs.filter((p) => p.severity === 'page').map((p) => p.burnRate));
  const breaches: Breach[] = [];
  let breachStart: number | null = null;
  const endBreach = (until: number) => {
    const start = breachStart!;
    const detectedAt = pageStarts.find((p) => p >= start);
    breaches.push({
      start: new Date(start).toISOString(),
      end: new Date(until).toISOString(),
      durationSeconds: (until - start) / 1000,
      detectionSeconds: detectedAt === undefined ? null : (detectedAt - start) / 1000,
    });
    breachStart = null;
  };
  if (fastest > 0) {
    for (let at = Math.ceil(input.from / MINUTE) * MINUTE; at <= input.to; at += MINUTE) {
      const m = byMinute.get(at);
      const burning = m !== undefined && m.total > 0 && (m.total - m.good) / m.total / budget >= fastest;
      if (burning && breachStart === null) breachStart = at;
      else if (!burning && breachStart !== null) endBreach(at);
    }
    if (breachStart !== null) endBreach(input.to);
  }
  const pages = alerts.filter((a) => a.severity === 'page');
  const tickets = alerts.filter((a) => a.severity === 'ticket');
  return {
    from: new Date(input.from).toISOString(),
    to: new Date(input.to).toISOString(),
    stepSeconds: step / 1000,
    evaluations: steps,
    alerts,
    breaches,
    summary: {
      pages: pages.length,
      tickets: tickets.length,
      pagedSeconds: pages.reduce((a, p) => a + p.durationSeconds, 0),
      ticketedSeconds: tickets.reduce((a, p) => a + p.durationSeconds, 0),
      breaches: breaches.length,
      undetected: breaches.filter((b) => b.detectionSeconds === null).length,
    },
  };
}
