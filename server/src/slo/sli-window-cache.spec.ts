import { countAtOrBelow } from './histogram-quantile';
import type { Resolution, RowQuery, SeriesRows, SliRowFeed, WatermarkProbe } from './sli-store';
import { SliWindowCache, nextWatermark, type CacheView } from './sli-window-cache';
import { HOUR_MS, MINUTE_MS, windowPlan } from './sli-windows';

/**
 * A change feed over rows held in memory, with transactions that commit later and a database
 * clock that moves only when told, so the cache's watermark logic can be driven precisely.
 */
class FakeFeed implements SliRowFeed {
  clock = 1_000_000;
  private nextTx = 1;
  readonly rows = new Map<string, { kind: 'c' | 'h'; series: string; res: Resolution; at: number; le: number; value: number; updatedAt: number; tx: number }>();
  private readonly open = new Map<number, number>();
  reads = 0;

  begin(): number {
    const tx = this.nextTx++;
    this.open.set(tx, this.clock);
    return tx;
  }
  commit(tx: number): void {
    this.open.delete(tx);
  }
  /** Adds to a bucket the way the store's upsert does, stamping updated_at. */
  add(tx: number, kind: 'c' | 'h', series: string, minuteIndex: number, value: number, le = 0): void {
    for (const [res, at] of [['minute', minuteIndex], ['hour', Math.floor(minuteIndex / 60)]] as const) {
      const key = `${kind}|${series}|${res}|${at}|${le}`;
      const row = this.rows.get(key) ?? { kind, series, res, at, le, value: 0, updatedAt: 0, tx };
      row.value += value;
      row.updatedAt = this.clock;
      row.tx = tx;
      this.rows.set(key, row);
    }
  }
  private visible(row: { tx: number }): boolean {
    return !this.open.has(row.tx);
  }
  async probe(): Promise<WatermarkProbe> {
    const starts = [...this.open.values()];
    return { at: new Date(this.clock), oldestOpen: starts.length ? new Date(Math.min(...starts)) : null, hiddenSessions: 0 };
  }
  /** Rows as PostgreSQL's feed gives them: since a time, every row of each changed bucket. */
  private select(kind: 'c' | 'h', res: Resolution, series: string[], fromIndex: number, since?: Date, before = Infinity): SeriesRows[] {
    const wanted = new Set(series);
    const rows = [...this.rows.values()].filter((r) => r.kind === kind && r.res === res && wanted.has(r.series) && r.at >= fromIndex && r.at < before && this.visible(r));
    const changedBuckets = new Set(rows.filter((r) => !since || r.updatedAt >= since.getTime()).map((r) => `${r.series}|${r.at}`));
    const out = new Map<string, SeriesRows & { at: number[]; value: number[]; le?: number[] }>();
    // Any order, as the database gives it: newest first here.
    for (const r of rows.sort((a, b) => b.at - a.at || b.le - a.le)) {
      if (!changedBuckets.has(`${r.series}|${r.at}`)) continue;
      const s = out.get(r.series) ?? { kind: kind === 'c' ? 'counter' : 'histogram', resolution: res, series: r.series, at: [], value: [], ...(kind === 'h' ? { le: [] } : {}) };
      s.at.push(r.at);
      s.value.push(r.value);
      s.le?.push(r.le);
      out.set(r.series, s);
    }
    return [...out.values()];
  }
  async read(q: RowQuery): Promise<SeriesRows[]> {
    this.reads++;
    const before = (res: Resolution) => (q.changedSince && res === 'hour' ? (q.changedHoursBefore ?? Infinity) : Infinity);
    return (['minute', 'hour'] as const).flatMap((res) => [
      ...this.select('c', res, q.counters, q.from[res], q.changedSince, before(res)),
      ...this.select('h', res, q.histograms, q.from[res], q.changedSince, before(res)),
    ]);
  }
  /** What the SQL path answers: committed rows summed by windowPlan. */
  counterSum(series: string, nowMs: number, w: number): number {
    const plan = windowPlan(nowMs, w);
    let sum = 0;
    for (const r of this.rows.values()) {
      if (r.kind !== 'c' || r.series !== series || !this.visible(r)) continue;
      const range = r.res === 'minute' ? plan.minutes : plan.hours;
      if (range && r.at >= range.from && r.at <= range.to) sum += r.value;
    }
    return sum;
  }
  histogramGood(series: string, threshold: number, nowMs: number, w: number): { good: number; total: number } {
    const plan = windowPlan(nowMs, w);
    const byLe = new Map<number, number>();
    for (const r of this.rows.values()) {
      if (r.kind !== 'h' || r.series !== series || !this.visible(r)) continue;
      const range = r.res === 'minute' ? plan.minutes : plan.hours;
      if (range && r.at >= range.from && r.at <= range.to) byLe.set(r.le, (byLe.get(r.le) ?? 0) + r.value);
    }
    let running = 0;
    const buckets = [...byLe].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count: (running += count) }));
    return { total: running, good: running > 0 ? countAtOrBelow(threshold, buckets) : 0 };
  }
}

const WINDOWS = [300, 3600, 6 * 3600, 86_400, 30 * 86_400];
const START = Date.UTC(2026, 10, 25, 10, 17);
const BOUNDS = [0.05, 0.1, 0.25, 1, Infinity];

function needs() {
  return { counters: ['req', 'err'], histograms: new Map([['lat', new Set([0.1, 0.3])]]) };
}

function readOnce(cache: SliWindowCache, nowMs: number) {
  return cache.read(needs(), new Date(nowMs), WINDOWS, (v: CacheView) => ({
    req: [...v.counter('req')],
    err: [...v.counter('err')],
    total: [...v.histogramTotal('lat')],
    good: [...v.histogramGood('lat', 0.3)],
    goodOnBound: [...v.histogramGood('lat', 0.1)],
  }));
}

/** Reads, waiting out a background load (a first read starts one and answers nothing). */
async function sums(cache: SliWindowCache, nowMs: number) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const got = await readOnce(cache, nowMs);
    if (got !== null) return got;
    await cache.whenLoaded();
  }
  return null;
}

function expectEqualToFeed(feed: FakeFeed, got: Awaited<ReturnType<typeof sums>>, nowMs: number) {
  expect(got).not.toBeNull();
  WINDOWS.forEach((w, i) => {
    expect(got!.req[i]).toBe(feed.counterSum('req', nowMs, w));
    expect(got!.err[i]).toBe(feed.counterSum('err', nowMs, w));
    const lat = feed.histogramGood('lat', 0.3, nowMs, w);
    expect(got!.total[i]).toBe(lat.total);
    expect(got!.good[i]).toBeCloseTo(lat.good, 6);
    expect(got!.goodOnBound[i]).toBeCloseTo(feed.histogramGood('lat', 0.1, nowMs, w).good, 6);
  });
}

function writeCommitted(feed: FakeFeed, minute: number) {
  const tx = feed.begin();
  writeMinute(feed, tx, minute);
  feed.commit(tx);
}

function writeMinute(feed: FakeFeed, tx: number, minute: number, scale = 1) {
  feed.add(tx, 'c', 'req', minute, 100 * scale);
  feed.add(tx, 'c', 'err', minute, (minute % 7) * scale);
  BOUNDS.forEach((le, i) => feed.add(tx, 'h', 'lat', minute, (10 + ((minute + i) % 5)) * scale, le));
}

describe('nextWatermark', () => {
  const at = new Date(100_000_000);
  it('resumes at the probe time when no transaction is open', () => {
    expect(nextWatermark({ at, oldestOpen: null, hiddenSessions: 0 }, 300_000, 1000).getTime()).toBe(100_000_000 - 1000);
  });
  it('moves back to the start of the oldest open transaction', () => {
    expect(nextWatermark({ at, oldestOpen: new Date(99_990_000), hiddenSessions: 0 }, 300_000, 1000).getTime()).toBe(99_989_000);
  });
  it('never trails by more than the commit allowance, and uses it all when a session is hidden', () => {
    expect(nextWatermark({ at, oldestOpen: new Date(0), hiddenSessions: 0 }, 300_000, 1000).getTime()).toBe(100_000_000 - 301_000);
    expect(nextWatermark({ at, oldestOpen: null, hiddenSessions: 1 }, 300_000, 1000).getTime()).toBe(100_000_000 - 301_000);
  });
});

describe('SliWindowCache', () => {
  it('hydrates from rows, then follows later writes to the same sums as the rows', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed);
    const first = Math.floor(START / MINUTE_MS) - 3 * 24 * 60;
    const tx = feed.begin();
    for (let m = first; m <= Math.floor(START / MINUTE_MS); m++) writeMinute(feed, tx, m);
    feed.commit(tx);
    let now = START + 15_000;
    expectEqualToFeed(feed, await sums(cache, now), now);

    // Two more hours, a minute at a time, with the clock moving: crosses hour boundaries.
    for (let k = 1; k <= 120; k++) {
      feed.clock += 1000;
      const t = feed.begin();
      writeMinute(feed, t, Math.floor(START / MINUTE_MS) + k);
      // An upsert into an existing minute adds to it.
      if (k % 10 === 0) writeMinute(feed, t, Math.floor(START / MINUTE_MS) + k - 3, 2);
      feed.commit(t);
      feed.clock += 1000;
      now = START + k * MINUTE_MS + 5_000;
      if (k % 7 === 0 || k > 110) expectEqualToFeed(feed, await sums(cache, now), now);
    }
    // A late correction to an hour that is already complete (its window sums are kept between passes).
    feed.clock += 1000;
    const late = feed.begin();
    writeMinute(feed, late, Math.floor(START / MINUTE_MS) - 150, 3);
    feed.commit(late);
    feed.clock += 1000;
    expectEqualToFeed(feed, await sums(cache, now), now);
    // Then traffic stops: the buckets entering the windows are empty, whatever the rings held.
    for (const later of [30, 90, 400]) {
      now = START + (120 + later) * MINUTE_MS;
      expectEqualToFeed(feed, await sums(cache, now), now);
    }
  });

  it('recomputes a bucket whose write touched only some bounds, and follows a change of bounds', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed);
    // What a cache loaded from scratch answers.
    const reference = async (nowMs: number) => sums(new SliWindowCache(feed), nowMs);
    const minute = Math.floor(START / MINUTE_MS);
    const tx = feed.begin();
    for (let m = minute - 100; m <= minute; m++) writeMinute(feed, tx, m);
    feed.commit(tx);
    let now = START + 10_000;
    expectEqualToFeed(feed, await sums(cache, now), now);
    feed.clock += 5000;
    now += 5000;
    expectEqualToFeed(feed, await sums(cache, now), now);
    // A late write of two bounds only, into a past minute (and its hour).
    feed.clock += 1000;
    const partial = feed.begin();
    feed.add(partial, 'h', 'lat', minute - 5, 40, 0.1);
    feed.add(partial, 'h', 'lat', minute - 5, 3, Infinity);
    feed.commit(partial);
    feed.clock += 1000;
    now += 10_000;
    expectEqualToFeed(feed, await sums(cache, now), now);
    // The writer adds a bound (0.5): its new buckets carry it, older ones do not. Each bucket is
    // interpolated within its own bounds, so the reference is a cache loaded from scratch.
    for (let k = 1; k <= 3; k++) {
      feed.clock += 1000;
      const t = feed.begin();
      [...BOUNDS, 0.5].forEach((le, i) => feed.add(t, 'h', 'lat', minute + k, 5 + i, le));
      feed.commit(t);
      feed.clock += 1000;
      now = START + k * MINUTE_MS + 5_000;
      expect(await sums(cache, now)).toEqual(await reference(now));
    }
    // And drops it again.
    feed.clock += 5000;
    await sums(cache, now);
    feed.clock += 1000;
    const t = feed.begin();
    BOUNDS.forEach((le, i) => feed.add(t, 'h', 'lat', minute + 3, 1 + i, le));
    feed.commit(t);
    feed.clock += 1000;
    expect(await sums(cache, now + 1000)).toEqual(await reference(now + 1000));
  });

  it('reads a row committed after the refresh that ran while its transaction was open', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed, { clockSafetyMs: 0 });
    const minute = Math.floor(START / MINUTE_MS);
    const t0 = feed.begin();
    writeMinute(feed, t0, minute - 1);
    feed.commit(t0);
    await sums(cache, START);

    feed.clock += 1000;
    const slow = feed.begin();
    writeMinute(feed, slow, minute, 5); // stamped now, committed much later
    feed.clock += 60_000;
    const fast = feed.begin();
    writeMinute(feed, fast, minute - 2);
    feed.commit(fast);
    feed.clock += 1000;
    expectEqualToFeed(feed, await sums(cache, START + 30_000), START + 30_000); // slow is invisible yet
    feed.commit(slow);
    feed.clock += 120_000;
    expectEqualToFeed(feed, await sums(cache, START + 40_000), START + 40_000);
  });

  it('keeps rows written ahead of the evaluation clock until the clock gets there', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed);
    const minute = Math.floor(START / MINUTE_MS);
    const tx = feed.begin();
    for (let m = minute - 10; m <= minute + 90; m++) writeMinute(feed, tx, m);
    feed.commit(tx);
    expectEqualToFeed(feed, await sums(cache, START), START);
    feed.clock += 1000;
    expectEqualToFeed(feed, await sums(cache, START + 80 * MINUTE_MS), START + 80 * MINUTE_MS);
  });

  it('answers nothing for a time before what it holds, so the caller reads the database', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed);
    await sums(cache, START);
    expect(await sums(cache, START - 2 * HOUR_MS)).toBeNull();
    // A little earlier than the newest pass is still inside the rings.
    expect(await sums(cache, START - MINUTE_MS)).not.toBeNull();
  });

  it('loads a series again when an SLO adds a threshold, and drops series no SLO reads any more', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed, { evictAfterMinutes: 30 });
    const minute = Math.floor(START / MINUTE_MS);
    const tx = feed.begin();
    for (let m = minute - 100; m <= minute; m++) writeMinute(feed, tx, m);
    feed.commit(tx);
    await cache.read({ counters: ['req'], histograms: new Map([['lat', new Set([0.1])]]) }, new Date(START), WINDOWS, () => 0);
    const got = await sums(cache, START);
    expectEqualToFeed(feed, got, START);
    await cache.read({ counters: ['req'], histograms: new Map() }, new Date(START + HOUR_MS), WINDOWS, () => 0);
    expect(cache.stats()).toMatchObject({ counterSeries: 1, histogramSeries: 0 });
  });

  it('loads in the background on first use, answering nothing (not waiting) until it is done', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed);
    const minute = Math.floor(START / MINUTE_MS);
    const tx = feed.begin();
    for (let m = minute - 100; m <= minute; m++) writeMinute(feed, tx, m);
    feed.commit(tx);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const read = feed.read.bind(feed);
    jest.spyOn(feed, 'read').mockImplementationOnce(async (q) => {
      await gate;
      return read(q);
    });
    expect(await readOnce(cache, START)).toBeNull();
    // The load is held up: another read still answers at once, with nothing.
    expect(await readOnce(cache, START + 1000)).toBeNull();
    release();
    await cache.whenLoaded();
    expectEqualToFeed(feed, await readOnce(cache, START + 2000), START + 2000);
  });

  it('loads again when its watermark is older than the feed keeps changes for', async () => {
    const feed = new FakeFeed();
    Object.assign(feed, { horizonMs: 10 * MINUTE_MS });
    const cache = new SliWindowCache(feed);
    const minute = Math.floor(START / MINUTE_MS);
    const tx = feed.begin();
    for (let m = minute - 100; m <= minute; m++) writeMinute(feed, tx, m);
    feed.commit(tx);
    expect(await readOnce(cache, START)).toBeNull();
    await cache.whenLoaded();
    expectEqualToFeed(feed, await readOnce(cache, START + 1000), START + 1000);
    // Within the horizon a refresh follows the change.
    feed.clock += 9 * MINUTE_MS;
    writeCommitted(feed, minute + 1);
    const within = START + 2 * MINUTE_MS;
    expectEqualToFeed(feed, await readOnce(cache, within), within);
    // No pass for longer than the horizon: the feed may have forgotten what changed meanwhile,
    // so the cache starts over (answering nothing until loaded) rather than miss it.
    feed.clock += 11 * MINUTE_MS;
    writeCommitted(feed, minute + 2);
    const after = START + 3 * MINUTE_MS;
    expect(await readOnce(cache, after)).toBeNull();
    await cache.whenLoaded();
    expectEqualToFeed(feed, await readOnce(cache, after), after);
  });

  it('loads a few series a new SLO needs inline, once the cache is loaded', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed);
    const minute = Math.floor(START / MINUTE_MS);
    const tx = feed.begin();
    for (let m = minute - 100; m <= minute; m++) {
      writeMinute(feed, tx, m);
      feed.add(tx, 'c', 'extra', m, 7);
    }
    feed.commit(tx);
    await sums(cache, START);
    const got = await cache.read({ counters: ['req', 'extra'], histograms: new Map() }, new Date(START), [3600], (v) => [...v.counter('extra')]);
    expect(got).toEqual([feed.counterSum('extra', START, 3600)]);
  });

  it('starts again from the database after a read fails half-way', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed);
    const minute = Math.floor(START / MINUTE_MS);
    const tx = feed.begin();
    for (let m = minute - 100; m <= minute; m++) writeMinute(feed, tx, m);
    feed.commit(tx);
    // A failed first load is dropped; the next read loads again.
    jest.spyOn(feed, 'read').mockRejectedValueOnce(new Error('connection reset'));
    expectEqualToFeed(feed, await sums(cache, START), START);
    // A failed refresh is reported to the caller, and the cache starts over.
    const t = feed.begin();
    writeMinute(feed, t, minute, 2);
    feed.commit(t);
    feed.clock += 1000;
    jest.spyOn(feed, 'read').mockRejectedValueOnce(new Error('connection reset'));
    await expect(readOnce(cache, START + 1000)).rejects.toThrow('connection reset');
    expectEqualToFeed(feed, await sums(cache, START + 2000), START + 2000);
  });

  it('reads only changed rows after hydration, in one read per pass', async () => {
    const feed = new FakeFeed();
    const cache = new SliWindowCache(feed);
    const minute = Math.floor(START / MINUTE_MS);
    const tx = feed.begin();
    for (let m = minute - 100; m <= minute; m++) writeMinute(feed, tx, m);
    feed.commit(tx);
    await sums(cache, START);
    feed.clock += 10_000;
    const spy = jest.spyOn(feed, 'read');
    await sums(cache, START + 10_000);
    expect(spy.mock.calls.map((c) => c[0].changedSince instanceof Date)).toEqual([true]);
  });
});
