import { countsAtOrBelow } from './histogram-quantile';
import type { Resolution, RowNumbers, RowQuery, SeriesRows, SliRowFeed, WatermarkProbe } from './sli-store';
import { hourIndex, minuteIndex, windowPlan, type WindowPlan } from './sli-windows';

/**
 * In-memory window sums for live evaluation, kept in step with the rollup tables by a change
 * feed, so that a pass over thousands of SLOs reads only the rows written since the last pass
 * instead of rescanning 30 days.
 *
 * Per quantity an SLO needs it keeps two ring buffers of per-bucket values, one per minute
 * (as many minutes as the longest sub-day window) and one per hour (the longest period): for a
 * counter series its increase; for a histogram series its total count and, per latency
 * threshold, its good count countAtOrBelow(threshold, buckets). The good count is linear in the
 * bucket counts when the bucket bounds do not change, so per-bucket values add up to exactly
 * what the SQL path computes from the summed buckets. (Where a series changes its bounds, or an
 * SLO adds series with different bounds, each bucket is interpolated within its own bounds.)
 *
 * Correct with several processes writing: every write of rollups lists the buckets it touched
 * in a change log stamped by the database clock (`sli_changes`). Each refresh reads the buckets
 * listed since a watermark taken before the previous refresh read anything, moved back to the
 * start of the oldest transaction then open (see nextWatermark), so a bucket committed late by
 * a slow transaction is still read. Rows carry absolute values, so reading one again is
 * harmless. A cache whose watermark is older than the feed's horizon loads again. This
 * process's own writes arrive the same way, at the refresh that starts the next pass: the one
 * that runs right after an ingest batch sees it, and a rolled-back write is never seen.
 */

export interface WindowCacheOptions {
  /**
   * How long a transaction that writes rollups may stay open and still be seen (default 5 min):
   * the watermark never trails the database clock by more, so an unrelated session idling in a
   * transaction does not make every refresh re-read everything.
   */
  maxCommitLagMs?: number;
  /** Allowance for the database clock stepping back (default 1 s). */
  clockSafetyMs?: number;
  /** A series no SLO read for this many minutes of data time is dropped (default 120). */
  evictAfterMinutes?: number;
}

/** What the SLOs of one pass read: counter series, and histogram series with their thresholds. */
export interface CacheNeeds {
  counters: Iterable<string>;
  histograms: Map<string, Set<number>>;
}

/** Window sums over the cached buckets, valid inside the `read` callback only. */
export interface CacheView {
  readonly plans: readonly WindowPlan[];
  /** Sum of a counter series per window (same order as the windows asked for). */
  counter(series: string): Float64Array;
  histogramTotal(series: string): Float64Array;
  histogramGood(series: string, threshold: number): Float64Array;
}

/**
 * Where the next refresh may resume: the database clock when probed, moved back to the start
 * of the oldest transaction still open then (its rows, stamped no earlier, may commit later),
 * but never more than maxCommitLagMs; a session whose transaction start is hidden from us
 * (another role) counts as open for the whole allowance.
 */
export function nextWatermark(probe: WatermarkProbe, maxCommitLagMs: number, clockSafetyMs: number): Date {
  const at = probe.at.getTime();
  const floor = at - maxCommitLagMs;
  const oldest = probe.oldestOpen ? Math.min(at, probe.oldestOpen.getTime()) : at;
  const from = probe.hiddenSessions > 0 ? floor : Math.max(floor, oldest);
  return new Date(from - clockSafetyMs);
}

interface Rings {
  minute: Float64Array;
  hour: Float64Array;
  /** Bumped when a completed hour changes: the full-hour sums below are then stale. */
  hourVersion: number;
  /** Full-hour window sums, kept between passes: they change once an hour, not every pass. */
  hourSums: { key: string; version: number; sums: Float64Array } | null;
  /** This pass's window sums (several SLOs often read one series). */
  passSums: { pass: number; sums: Float64Array } | null;
}

/**
 * How one pass sums the windows. Every window's minute range ends at the current minute (short
 * windows, and the current hour of long ones) and every hour range ends at the last full hour,
 * so one backward walk per ring and resolution yields all windows: at each `stop` (a range
 * start, newest first) the running sum is that range's sum.
 */
interface SumPlan {
  windows: number;
  minuteTo: number;
  minuteStops: number[];
  /** Per window, its position in minuteStops. */
  minuteStop: number[];
  hourTo: number;
  hourStops: number[];
  /** Per window, its position in hourStops, or -1 for a window without hours. */
  hourStop: number[];
  /** Identifies the hour ranges, for reusing full-hour sums across passes. */
  hourKey: string;
}

function sumPlan(plans: readonly WindowPlan[]): SumPlan {
  const minuteStops = [...new Set(plans.map((p) => p.minutes.from))].sort((a, b) => b - a);
  const hourStops = [...new Set(plans.flatMap((p) => (p.hours && p.hours.from <= p.hours.to ? [p.hours.from] : [])))].sort((a, b) => b - a);
  const hourTo = plans.reduce((to, p) => (p.hours ? Math.max(to, p.hours.to) : to), -Infinity);
  return {
    windows: plans.length,
    minuteTo: plans.reduce((to, p) => Math.max(to, p.minutes.to), -Infinity),
    minuteStops,
    minuteStop: plans.map((p) => minuteStops.indexOf(p.minutes.from)),
    hourTo,
    hourStops,
    hourStop: plans.map((p) => (p.hours && p.hours.from <= p.hours.to ? hourStops.indexOf(p.hours.from) : -1)),
    hourKey: `${hourTo}:${hourStops.join(',')}`,
  };
}

/** Running sums walking back from `to`: out[s] is the sum over [stops[s], to]. */
function backwardSums(ring: Float64Array, to: number, stops: number[]): Float64Array {
  const out = new Float64Array(stops.length);
  const n = ring.length;
  let i = slot(to, n);
  let k = to;
  let acc = 0;
  for (let s = 0; s < stops.length; s++) {
    for (; k >= stops[s]; k--) {
      acc += ring[i];
      if (--i < 0) i = n - 1;
    }
    out[s] = acc;
  }
  return out;
}

interface CounterTimeline {
  rings: Rings;
  lastUsed: number;
}

interface HistogramTimeline {
  total: Rings;
  good: Map<number, Rings>;
  /** The keys and values of `good`, in one order, and room for one bucket's good counts. */
  thresholds: number[];
  goodRings: Rings[];
  scratch: Float64Array;
  lastUsed: number;
}

/** Up to this many series missing from a loaded cache are read inline (a new SLO); more load in the background. */
const INLINE_LOAD_MAX_SERIES = 100;

interface Missing {
  counters: Array<{ series: string; lastUsed: number }>;
  histograms: Array<{ series: string; thresholds: Set<number>; lastUsed: number }>;
}

interface PendingRow {
  kind: 'counter' | 'histogram';
  series: string;
  res: Resolution;
  at: number;
  values: number[];
  les: number[];
}

function slot(index: number, size: number): number {
  return ((index % size) + size) % size;
}

/** Whether entries i and j are in (bucket, bound) order. */
function inOrder(at: RowNumbers, le: RowNumbers, i: number, j: number): boolean {
  return at[i] < at[j] || (at[i] === at[j] && le[i] <= le[j]);
}

/**
 * The buckets of a histogram series' rows, each with its counts and bounds sorted by bound.
 * Entries come in any order (usually already sorted, as the primary key reads them).
 */
function forEachBucket(r: SeriesRows, visit: (at: number, values: number[], les: number[]) => void): void {
  const le = r.le!;
  const n = r.at.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = inOrder(r.at, le, i - 1, i);
  const order = sorted ? null : Array.from(r.at.keys()).sort((a, b) => r.at[a] - r.at[b] || le[a] - le[b]);
  const entry = (k: number) => (order ? order[k] : k);
  let start = 0;
  while (start < n) {
    const at = r.at[entry(start)];
    let end = start + 1;
    while (end < n && r.at[entry(end)] === at) end++;
    const values = new Array<number>(end - start);
    const les = new Array<number>(end - start);
    for (let k = start; k < end; k++) {
      values[k - start] = r.value[entry(k)];
      les[k - start] = le[entry(k)];
    }
    visit(at, values, les);
    start = end;
  }
}

export class SliWindowCache {
  private minuteSlots = 0;
  private hourSlots = 0;
  private minuteHead = -Infinity;
  private hourHead = -Infinity;
  private watermark: Date | null = null;
  private readonly counters = new Map<string, CounterTimeline>();
  private readonly histograms = new Map<string, HistogramTimeline>();
  /** Rows for buckets after the head (written ahead of the evaluation clock), applied when it gets there. */
  private readonly pending = new Map<string, PendingRow>();
  private lock: Promise<unknown> = Promise.resolve();
  private loading: Promise<void> | null = null;
  private passes = 0;
  private readonly maxCommitLagMs: number;
  private readonly clockSafetyMs: number;
  private readonly evictAfterMinutes: number;

  constructor(
    private readonly feed: SliRowFeed,
    options: WindowCacheOptions = {},
  ) {
    this.maxCommitLagMs = options.maxCommitLagMs ?? 5 * 60_000;
    this.clockSafetyMs = options.clockSafetyMs ?? 1000;
    this.evictAfterMinutes = options.evictAfterMinutes ?? 120;
  }

  /** How much the cache holds, for logs and the benchmark. */
  stats(): { counterSeries: number; histogramSeries: number; rings: number; minuteSlots: number; hourSlots: number } {
    let rings = this.counters.size;
    for (const h of this.histograms.values()) rings += 1 + h.good.size;
    return { counterSeries: this.counters.size, histogramSeries: this.histograms.size, rings, minuteSlots: this.minuteSlots, hourSlots: this.hourSlots };
  }

  /**
   * Brings the cache up to date for these needs and runs `compute` over window sums ending at
   * `now`. Returns null when the cache cannot answer at that time (a `now` further in the past
   * than it holds, as in back-testing): the caller then reads the database.
   */
  read<T>(needs: CacheNeeds, now: Date, windowsSeconds: number[], compute: (view: CacheView) => T): Promise<T | null> {
    // While a large load runs, answer at once with nothing: the caller reads the database
    // rather than wait (at 10,000 SLOs a first load reads tens of millions of rows).
    if (this.loading) return Promise.resolve(null);
    const run = this.lock.then(() => this.readNow(needs, now, windowsSeconds, compute));
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async readNow<T>(needs: CacheNeeds, now: Date, windowsSeconds: number[], compute: (view: CacheView) => T): Promise<T | null> {
    const nowMs = now.getTime();
    const nowMinute = minuteIndex(nowMs);
    const plans = windowsSeconds.map((w) => windowPlan(nowMs, w));
    let minuteSpan = 1;
    let hourSpan = 1;
    for (const p of plans) {
      minuteSpan = Math.max(minuteSpan, nowMinute - p.minutes.from + 1);
      if (p.hours) hourSpan = Math.max(hourSpan, hourIndex(nowMs) - p.hours.from + 1);
    }
    if (minuteSpan > this.minuteSlots || hourSpan > this.hourSlots) {
      // Longer windows than before (new rules): start over with rings that hold them.
      this.reset(Math.max(minuteSpan + 5, this.minuteSlots), Math.max(hourSpan + 2, this.hourSlots));
    }
    const minuteHead = Math.max(this.minuteHead, nowMinute);
    const hourHead = Math.floor(minuteHead / 60);
    for (const p of plans) {
      if (p.minutes.from <= minuteHead - this.minuteSlots) return null;
      if (p.hours && p.hours.from <= hourHead - this.hourSlots) return null;
    }

    try {
      // The watermark is taken before any row is read, so nothing committed after it is missed
      // (a load that runs later reads even newer rows, and the next refresh re-reads from here).
      const probe = await this.feed.probe();
      const horizon = this.feed.horizonMs;
      const stale = this.watermark !== null && horizon !== undefined && probe.at.getTime() - this.watermark.getTime() > horizon;
      // Changes that old may have left the feed, or the hours completing are no longer all in
      // the minutes held: what is held cannot be brought up to date.
      if (stale || !this.minutesCoverCompletingHours(minuteHead)) this.reset(this.minuteSlots, this.hourSlots);
      this.advance(minuteHead);
      if (this.watermark !== null) await this.readChanges();
      const missing = this.missing(needs, nowMinute);
      const count = missing.counters.length + missing.histograms.length;
      if (count > 0 && (this.counters.size + this.histograms.size === 0 || count > INLINE_LOAD_MAX_SERIES)) {
        this.watermark = nextWatermark(probe, this.maxCommitLagMs, this.clockSafetyMs);
        this.loadInBackground(missing);
        return null;
      }
      if (count > 0) await this.load(missing);
      this.watermark = nextWatermark(probe, this.maxCommitLagMs, this.clockSafetyMs);
    } catch (err) {
      // A read that failed half-way leaves series half-loaded: start again from the database.
      this.reset(this.minuteSlots, this.hourSlots);
      throw err;
    }
    this.evict(nowMinute);
    return compute(this.view(plans));
  }

  private reset(minuteSlots: number, hourSlots: number): void {
    this.minuteSlots = minuteSlots;
    this.hourSlots = hourSlots;
    this.minuteHead = -Infinity;
    this.hourHead = -Infinity;
    this.watermark = null;
    this.counters.clear();
    this.histograms.clear();
    this.pending.clear();
  }

  private newRings(): Rings {
    return { minute: new Float64Array(this.minuteSlots), hour: new Float64Array(this.hourSlots), hourVersion: 0, hourSums: null, passSums: null };
  }

  /** Writes one bucket value; a change to a completed hour invalidates that ring's full-hour sums. */
  private set(rings: Rings, res: Resolution, at: number, value: number): void {
    const ring = rings[res];
    const i = slot(at, ring.length);
    if (ring[i] === value) return;
    ring[i] = value;
    if (res === 'hour' && at < this.hourHead) rings.hourVersion++;
  }

  private *allRings(): Iterable<Rings> {
    for (const c of this.counters.values()) yield c.rings;
    for (const h of this.histograms.values()) {
      yield h.total;
      yield* h.good.values();
    }
  }

  /** Moves the newest bucket forward, zeroing the buckets that enter the rings. */
  private advance(minuteHead: number): void {
    if (minuteHead <= this.minuteHead) return;
    const hourHead = Math.floor(minuteHead / 60);
    const clear = (ring: Float64Array, oldHead: number, newHead: number) => {
      if (newHead <= oldHead) return;
      if (newHead - oldHead >= ring.length) return void ring.fill(0);
      for (let k = oldHead + 1; k <= newHead; k++) ring[slot(k, ring.length)] = 0;
    };
    for (const rings of this.allRings()) {
      clear(rings.minute, this.minuteHead, minuteHead);
      clear(rings.hour, this.hourHead, hourHead);
    }
    const completed = this.hourHead;
    this.minuteHead = minuteHead;
    this.hourHead = hourHead;
    for (const [key, row] of this.pending) {
      if (row.at > this.head(row.res)) continue;
      this.pending.delete(key);
      this.apply(row);
    }
    if (this.derivesHours() && completed > -Infinity) for (let h = completed; h < hourHead; h++) this.completeHour(h);
  }

  /**
   * Whether hours are added up from minutes rather than read: refreshes then skip the hour in
   * progress (rewritten by every write, summed by no window), which halves what they read.
   * Needs minute rings long enough to still hold the hour that just completed.
   */
  private derivesHours(): boolean {
    return this.minuteSlots >= 2 * 60;
  }

  /** Whether moving to minuteHead leaves every hour it completes inside the minutes held. */
  private minutesCoverCompletingHours(minuteHead: number): boolean {
    if (!this.derivesHours() || this.hourHead === -Infinity || Math.floor(minuteHead / 60) <= this.hourHead) return true;
    return this.hourHead * 60 >= minuteHead - this.minuteSlots + 1;
  }

  /**
   * A completed hour's value as the sum of its minutes: what its hour row holds (the store adds
   * every write to both), exactly for counters and totals, and for good counts as long as the
   * series kept its bucket bounds through the hour. Changes to it after this arrive from the
   * hour rows (a refresh reads the hours before the current one).
   */
  private completeHour(hour: number): void {
    for (const rings of this.allRings()) {
      const n = rings.minute.length;
      let sum = 0;
      for (let m = hour * 60; m < hour * 60 + 60; m++) sum += rings.minute[slot(m, n)];
      this.set(rings, 'hour', hour, sum);
    }
  }

  private head(res: Resolution): number {
    return res === 'minute' ? this.minuteHead : this.hourHead;
  }

  private oldest(res: Resolution): number {
    return this.head(res) - (res === 'minute' ? this.minuteSlots : this.hourSlots) + 1;
  }

  private from(): Record<Resolution, number> {
    return { minute: this.oldest('minute'), hour: this.oldest('hour') };
  }

  private async readChanges(): Promise<void> {
    const counters = [...this.counters.keys()];
    const histograms = [...this.histograms.keys()];
    if (counters.length + histograms.length === 0) return;
    // A histogram bucket comes back whole (every bound), so it is recomputed from these rows alone.
    const q: RowQuery = {
      counters,
      histograms,
      from: this.from(),
      changedSince: this.watermark!,
      ...(this.derivesHours() ? { changedHoursBefore: this.hourHead } : {}),
    };
    this.applyRows(await this.feed.read(q));
  }

  /** Marks every needed series as used and lists those not held yet (or lacking a threshold). */
  private missing(needs: CacheNeeds, nowMinute: number): Missing {
    const out: Missing = { counters: [], histograms: [] };
    for (const series of needs.counters) {
      const held = this.counters.get(series);
      if (held) held.lastUsed = nowMinute;
      else out.counters.push({ series, lastUsed: nowMinute });
    }
    for (const [series, thresholds] of needs.histograms) {
      const held = this.histograms.get(series);
      if (held) held.lastUsed = nowMinute;
      if (held && [...thresholds].every((t) => held.good.has(t))) continue;
      // A new threshold needs every bucket's bounds again: the series is loaded again whole.
      out.histograms.push({ series, thresholds: new Set([...(held?.good.keys() ?? []), ...thresholds]), lastUsed: nowMinute });
    }
    return out;
  }

  /** Reads the whole rings of these series. Runs under the lock. */
  private async load(missing: Missing): Promise<void> {
    for (const c of missing.counters) this.counters.set(c.series, { rings: this.newRings(), lastUsed: c.lastUsed });
    for (const h of missing.histograms) {
      const good = new Map([...h.thresholds].map((t) => [t, this.newRings()]));
      this.histograms.set(h.series, {
        total: this.newRings(),
        good,
        thresholds: [...good.keys()],
        goodRings: [...good.values()],
        scratch: new Float64Array(good.size),
        lastUsed: h.lastUsed,
      });
      for (const key of this.pending.keys()) if (key.startsWith(`histogram\u0000${h.series}\u0000`)) this.pending.delete(key);
    }
    const counters = missing.counters.map((c) => c.series);
    const histograms = missing.histograms.map((h) => h.series);
    const q = { counters, histograms, from: this.from() };
    if (!this.feed.readInChunks) return this.applyRows(await this.feed.read(q));
    // A chunk at a time: the whole of a large load never sits in memory at once.
    for await (const rows of this.feed.readInChunks(q)) this.applyRows(rows);
  }

  /** Starts a load after the current pass, holding the lock; until it ends, reads answer nothing. */
  private loadInBackground(missing: Missing): void {
    const job = this.lock
      .then(() => this.load(missing))
      .catch(() => {
        // Half-loaded series would answer wrong sums: drop everything; the next pass starts over.
        this.reset(this.minuteSlots, this.hourSlots);
      })
      .finally(() => {
        this.loading = null;
      });
    this.loading = job;
    this.lock = job;
  }

  /** Resolves when no load is running (for tests and the benchmark). */
  async whenLoaded(): Promise<void> {
    while (this.loading) await this.loading;
  }

  private applyRows(rows: SeriesRows[]): void {
    for (const r of rows) {
      const { kind, series, resolution: res } = r;
      if (kind === 'counter') {
        const c = this.counters.get(series);
        const oldest = this.oldest(res);
        const head = this.head(res);
        for (let i = 0; i < r.at.length; i++) {
          const at = r.at[i];
          // In range: set at once (what apply does, without a row object per value).
          if (c && at >= oldest && at <= head) this.set(c.rings, res, at, r.value[i]);
          else this.apply({ kind, series, res, at, values: [r.value[i]], les: [] });
        }
        continue;
      }
      forEachBucket(r, (at, values, les) => this.apply({ kind: 'histogram', series, res, at, values, les }));
    }
  }

  /** Sets one bucket to its stored (absolute) value. */
  private apply(row: PendingRow): void {
    if (row.at < this.oldest(row.res)) return;
    if (row.at > this.head(row.res)) {
      this.pending.set(`${row.kind}\u0000${row.series}\u0000${row.res}\u0000${row.at}`, row);
      return;
    }
    if (row.kind === 'counter') {
      const c = this.counters.get(row.series);
      if (c) this.set(c.rings, row.res, row.at, row.values[0]);
      return;
    }
    const h = this.histograms.get(row.series);
    if (!h) return;
    // Total and good counts of the bucket (its per-bucket counts are sorted by bound).
    let total = 0;
    for (const count of row.values) total += count;
    this.set(h.total, row.res, row.at, total);
    if (total > 0) countsAtOrBelow(h.thresholds, row.les, row.values, h.scratch);
    for (let k = 0; k < h.thresholds.length; k++) {
      const good = total > 0 ? h.scratch[k] : 0;
      this.set(h.goodRings[k], row.res, row.at, Number.isFinite(good) ? good : 0);
    }
  }

  private evict(nowMinute: number): void {
    const stale = (lastUsed: number) => nowMinute - lastUsed > this.evictAfterMinutes;
    for (const [series, c] of this.counters) if (stale(c.lastUsed)) this.counters.delete(series);
    for (const [series, h] of this.histograms) if (stale(h.lastUsed)) this.histograms.delete(series);
  }

  private view(plans: WindowPlan[]): CacheView {
    const plan = sumPlan(plans);
    const pass = ++this.passes;
    const sums = (rings: Rings | undefined): Float64Array => {
      if (!rings) return new Float64Array(plan.windows);
      if (rings.passSums?.pass === pass) return rings.passSums.sums;
      const minutes = backwardSums(rings.minute, plan.minuteTo, plan.minuteStops);
      let hours = rings.hourSums;
      if (!hours || hours.key !== plan.hourKey || hours.version !== rings.hourVersion) {
        hours = { key: plan.hourKey, version: rings.hourVersion, sums: backwardSums(rings.hour, plan.hourTo, plan.hourStops) };
        rings.hourSums = hours;
      }
      const out = new Float64Array(plan.windows);
      for (let w = 0; w < plan.windows; w++) {
        out[w] = minutes[plan.minuteStop[w]] + (plan.hourStop[w] >= 0 ? hours.sums[plan.hourStop[w]] : 0);
      }
      rings.passSums = { pass, sums: out };
      return out;
    };
    return {
      plans,
      counter: (series) => sums(this.counters.get(series)?.rings),
      histogramTotal: (series) => sums(this.histograms.get(series)?.total),
      histogramGood: (series, threshold) => sums(this.histograms.get(series)?.good.get(threshold)),
    };
  }
}
