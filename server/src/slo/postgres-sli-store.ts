import type { DataSource, EntityManager } from 'typeorm';
import type {
  CounterWindowSums,
  HistogramWindowSums,
  Resolution,
  RowQuery,
  SampleBatch,
  SeriesRows,
  SliRowFeed,
  SliStore,
  WatermarkProbe,
  WindowQuery,
} from './sli-store';
import { HOUR_MS, MINUTE_MS, windowPlan, type BucketRange } from './sli-windows';

export function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
}

function hourOf(minute: Date): Date {
  return new Date(Math.floor(minute.getTime() / HOUR_MS) * HOUR_MS);
}

const BUCKET_MS: Record<Resolution, number> = { minute: MINUTE_MS, hour: HOUR_MS };

/**
 * A float8[] or int[] parameter as PostgreSQL's array literal, built by one native join: the
 * driver would escape and convert every element in JavaScript (tens of thousands per batch).
 * JavaScript's shortest round-trip digits, `Infinity`, `-Infinity` and `NaN` are all valid
 * float8 input.
 */
function numbersLiteral(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** Rows sorted by key so that concurrent writers lock rows in the same order (no deadlocks). */
function byKey<T extends { series: string; at: number; le?: number }>(a: T, b: T): number {
  return a.series < b.series ? -1 : a.series > b.series ? 1 : a.at - b.at || (a.le ?? 0) - (b.le ?? 0);
}

/**
 * Each distinct series once, and per row its 1-based position: rows of one series (a bucket per
 * bound, a minute and an hour) would otherwise send and escape the same long name many times.
 */
function seriesIndex(rows: ReadonlyArray<{ series: string }>): { names: string[]; index: number[] } {
  const names: string[] = [];
  const index: number[] = [];
  for (const r of rows) {
    if (names.length === 0 || names[names.length - 1] !== r.series) names.push(r.series);
    index.push(names.length);
  }
  return { names, index };
}

interface CounterRow {
  series: string;
  at: number;
  value: number;
}
interface BucketCounts {
  series: string;
  at: number;
  counts: Map<number, number>;
}

/** How long `sli_changes` rows are kept: the retention job deletes older ones. */
export const SLI_CHANGES_KEPT_MS = 20 * 60_000;

/**
 * Minute and hour rollups in PostgreSQL. Writes add to the bucket's row (upsert), so samples
 * may arrive in any split; every minute row written also adds to its hour row in the same
 * transaction, so the two always agree. Each write also lists the buckets it touched in one
 * `sli_changes` row, the window caches' change feed.
 *
 * Window sums follow windowPlan (sli-windows.ts): short windows from minute rows, a day and
 * more from hour rows plus the current hour's minutes.
 */
export class PostgresSliStore implements SliStore {
  readonly rows: SliRowFeed;

  constructor(private readonly dataSource: DataSource) {
    this.rows = new PostgresSliRows(dataSource);
  }

  async write(manager: EntityManager, batch: SampleBatch): Promise<void> {
    const counters = { minute: new Map<string, CounterRow>(), hour: new Map<string, CounterRow>() };
    const add = (res: Resolution, series: string, at: Date, value: number) => {
      const key = `${series}\u0000${at.getTime()}`;
      const row = counters[res].get(key) ?? { series, at: at.getTime(), value: 0 };
      row.value += value;
      counters[res].set(key, row);
    };
    const minutes = !batch.hoursOnly;
    for (const s of batch.counters) {
      if (!Number.isFinite(s.value)) continue;
      const minute = minuteOf(s.at);
      if (minutes) add('minute', s.series, minute, s.value);
      add('hour', s.series, hourOf(minute), s.value);
    }
    // Per series and bucket start, the counts by bound: one key per sample, not one per bound.
    const buckets = { minute: new Map<string, BucketCounts>(), hour: new Map<string, BucketCounts>() };
    const countsOf = (res: Resolution, series: string, at: number) => {
      const key = `${series}\u0000${at}`;
      let b = buckets[res].get(key);
      if (!b) buckets[res].set(key, (b = { series, at, counts: new Map() }));
      return b.counts;
    };
    for (const h of batch.histograms) {
      if (h.buckets.length === 0) continue;
      const minute = minuteOf(h.at);
      const inMinute = minutes ? countsOf('minute', h.series, minute.getTime()) : null;
      const inHour = countsOf('hour', h.series, hourOf(minute).getTime());
      for (const b of h.buckets) {
        if (inMinute) inMinute.set(b.le, (inMinute.get(b.le) ?? 0) + b.count);
        inHour.set(b.le, (inHour.get(b.le) ?? 0) + b.count);
      }
    }
    for (const res of ['minute', 'hour'] as const) {
      if (counters[res].size > 0) {
        const rows = [...counters[res].values()].sort(byKey);
        const { names, index } = seriesIndex(rows);
        await manager.query(
          `INSERT INTO sli_counter_${res} (series, ${res}, value)
           SELECT ($1::text[])[u.i], to_timestamp(u.t), u.v FROM unnest($2::int[], $3::float8[], $4::float8[]) AS u(i, t, v)
           ON CONFLICT ON CONSTRAINT pk_sli_counter_${res}
           DO UPDATE SET value = sli_counter_${res}.value + EXCLUDED.value`,
          [names, numbersLiteral(index), numbersLiteral(rows.map((r) => r.at / 1000)), numbersLiteral(rows.map((r) => r.value))],
        );
      }
      if (buckets[res].size > 0) {
        const groups = [...buckets[res].values()].sort(byKey);
        const { names, index: groupIndex } = seriesIndex(groups);
        const index: number[] = [];
        const at: number[] = [];
        const le: number[] = [];
        const count: number[] = [];
        groups.forEach((g, i) => {
          for (const bound of [...g.counts.keys()].sort((a, b) => a - b)) {
            index.push(groupIndex[i]);
            at.push(g.at / 1000);
            le.push(bound);
            count.push(g.counts.get(bound)!);
          }
        });
        // A count of 0 only marks a bucket's lower edge: an existing row needs no new version.
        await manager.query(
          `INSERT INTO sli_histogram_${res} (series, ${res}, le, count)
           SELECT ($1::text[])[u.i], to_timestamp(u.t), u.le, u.c FROM unnest($2::int[], $3::float8[], $4::float8[], $5::float8[]) AS u(i, t, le, c)
           ON CONFLICT ON CONSTRAINT pk_sli_histogram_${res}
           DO UPDATE SET count = sli_histogram_${res}.count + EXCLUDED.count
           WHERE EXCLUDED.count <> 0`,
          [names, numbersLiteral(index), numbersLiteral(at), numbersLiteral(le), numbersLiteral(count)],
        );
      }
    }
    // Last, in the same transaction: the feed stamp is no earlier than the rows it announces.
    // The buckets written are the minute rows' keys (their hours follow from the minutes), or
    // for hours-only writes the hours' first minutes.
    const written = minutes ? [...counters.minute.values(), ...buckets.minute.values()] : [...counters.hour.values(), ...buckets.hour.values()];
    if (written.length > 0) {
      await manager.query(`INSERT INTO sli_changes (series, minutes) VALUES ($1::text[], $2::int[])`, [
        written.map((r) => r.series),
        numbersLiteral(written.map((r) => r.at / MINUTE_MS)),
      ]);
    }
  }

  /** Every series and window in one query per resolution: a FILTER per window. */
  async counterSums(q: WindowQuery): Promise<CounterWindowSums> {
    const out: CounterWindowSums = new Map();
    if (q.series.length === 0 || q.windowsSeconds.length === 0) return out;
    for (const series of q.series) out.set(series, new Map(q.windowsSeconds.map((w) => [w, 0])));
    const plans = q.windowsSeconds.map((w) => windowPlan(q.now.getTime(), w));
    for (const res of ['minute', 'hour'] as const) {
      const ranges = plans.map((p) => (res === 'minute' ? p.minutes : p.hours));
      const sql = windowSumsSql(`sli_counter_${res}`, res, 'value', ranges, []);
      if (!sql) continue;
      const rows: Array<Record<string, string | number>> = await this.dataSource.query(sql.text, [q.series, ...sql.params]);
      for (const row of rows) {
        const sums = out.get(String(row.series))!;
        q.windowsSeconds.forEach((w, i) => {
          if (ranges[i]) sums.set(w, sums.get(w)! + Number(row[`w${i}`]));
        });
      }
    }
    return out;
  }

  async histogramSums(q: WindowQuery): Promise<HistogramWindowSums> {
    const out: HistogramWindowSums = new Map();
    if (q.series.length === 0 || q.windowsSeconds.length === 0) return out;
    // Per series, per window: per-bucket counts by bound, summed over both resolutions.
    const perBucket = new Map<string, Map<number, Map<number, number>>>();
    for (const series of q.series) perBucket.set(series, new Map(q.windowsSeconds.map((w) => [w, new Map()])));
    const plans = q.windowsSeconds.map((w) => windowPlan(q.now.getTime(), w));
    for (const res of ['minute', 'hour'] as const) {
      const ranges = plans.map((p) => (res === 'minute' ? p.minutes : p.hours));
      const sql = windowSumsSql(`sli_histogram_${res}`, res, 'count', ranges, ['le']);
      if (!sql) continue;
      const rows: Array<Record<string, string | number>> = await this.dataSource.query(sql.text, [q.series, ...sql.params]);
      for (const row of rows) {
        const perWindow = perBucket.get(String(row.series))!;
        const le = Number(row.le);
        q.windowsSeconds.forEach((w, i) => {
          if (!ranges[i]) return;
          const byLe = perWindow.get(w)!;
          byLe.set(le, (byLe.get(le) ?? 0) + Number(row[`w${i}`]));
        });
      }
    }
    // Prometheus-style cumulative counts, sorted by bound. A bound seen anywhere in the scanned
    // range is listed for every window (with what that window holds), as before hour rollups.
    for (const [series, perWindow] of perBucket) {
      const windows = new Map<number, Array<{ le: number; count: number }>>();
      for (const [w, byLe] of perWindow) {
        let running = 0;
        windows.set(
          w,
          [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count: (running += count) })),
        );
      }
      out.set(series, windows);
    }
    return out;
  }
}

/**
 * `SELECT series[, extra], w0, w1, … FROM table` where wi sums the rows in range i (ranges
 * that are null or empty give no column and no filter). Parameters start at $2 ($1 = series).
 */
function windowSumsSql(
  table: string,
  column: Resolution,
  valueColumn: string,
  ranges: Array<BucketRange | null>,
  extraGroup: string[],
): { text: string; params: string[] } | null {
  const ms = BUCKET_MS[column];
  const params: string[] = [];
  const param = (index: number) => {
    params.push(new Date(index * ms).toISOString());
    return `$${params.length + 1}::timestamptz`;
  };
  const columns: string[] = [];
  let lowest = Infinity;
  let highest = -Infinity;
  ranges.forEach((r, i) => {
    if (!r || r.from > r.to) return;
    lowest = Math.min(lowest, r.from);
    highest = Math.max(highest, r.to);
    columns.push(`COALESCE(sum(${valueColumn}) FILTER (WHERE ${column} BETWEEN ${param(r.from)} AND ${param(r.to)}), 0) AS w${i}`);
  });
  if (columns.length === 0) return null;
  const group = ['series', ...extraGroup].join(', ');
  return {
    text: `SELECT ${group}, ${columns.join(', ')} FROM ${table}
           WHERE series = ANY($1) AND ${column} BETWEEN ${param(lowest)} AND ${param(highest)}
           GROUP BY ${group}`,
    params,
  };
}

/** Series per hydration query, so that one result never holds many millions of values. */
const SERIES_PER_QUERY = 200;
/**
 * Hydration queries running at once: while the database reads one chunk, this process parses
 * and applies the one before (the two halves take similar time), instead of each waiting for
 * the other.
 */
const QUERIES_IN_FLIGHT = 2;

// 10^k for k = 0..15, all exact doubles.
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * Comma-separated numbers, exactly as text.split(',').map(Number) reads them, into a typed
 * array and without a string per entry for plain decimals (bucket indices, counts, bounds such
 * as 0.025): a hydration reads tens of millions. A decimal of at most 15 digits is its digits
 * as an integer divided by a power of ten, both exact doubles, so the one rounding of that
 * division gives the correctly rounded value Number gives. Anything else (exponents, Infinity,
 * NaN, longer numbers) goes through Number.
 */
export function parseNumbers(text: string): Float64Array {
  let n = 1;
  for (let i = text.indexOf(','); i >= 0; i = text.indexOf(',', i + 1)) n++;
  const out = new Float64Array(n);
  let k = 0;
  let start = 0;
  let value = 0;
  let negative = false;
  let digits = 0;
  let point = -1;
  let simple = true;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 44;
    if (c === 44) {
      if (simple && digits > 0) {
        const magnitude = point < 0 ? value : value / POWERS_OF_TEN[digits - point];
        out[k++] = negative ? -magnitude : magnitude;
      } else {
        out[k++] = Number(text.slice(start, i));
      }
      start = i + 1;
      value = 0;
      negative = false;
      digits = 0;
      point = -1;
      simple = true;
    } else if (simple) {
      if (c >= 48 && c <= 57 && digits < 15) {
        value = value * 10 + (c - 48);
        digits++;
      } else if (c === 46 && point < 0) {
        point = digits;
      } else if (c === 45 && digits === 0 && point < 0 && !negative) {
        negative = true;
      } else {
        simple = false;
      }
    }
  }
  return out;
}

type RawRows = Array<{ kind: SeriesRows['kind']; resolution: Resolution; series: string; at: string; value: string; le: string | null }>;

// Comma-separated text parses several times faster than PostgreSQL arrays do in node-pg,
// which matters when a hydration reads millions of values. float8 text is exact (shortest
// round-trip digits); '+Inf' bounds read back as Infinity.
function parsed(r: RawRows[number]): SeriesRows {
  return {
    kind: r.kind,
    resolution: r.resolution,
    series: r.series,
    at: parseNumbers(r.at),
    value: parseNumbers(r.value),
    ...(r.le === null ? {} : { le: parseNumbers(r.le) }),
  };
}

/** The change feed behind the window cache, over the same tables. */
export class PostgresSliRows implements SliRowFeed {
  /**
   * Half the log's retention: changes since a watermark this old are all still listed, with
   * room for a watermark that trails the clock (by up to 5 minutes, see nextWatermark).
   */
  readonly horizonMs = SLI_CHANGES_KEPT_MS / 2;

  constructor(private readonly dataSource: DataSource) {}

  async probe(): Promise<WatermarkProbe> {
    // Other sessions of this database that are inside a transaction: the sli_changes row they
    // write carries a stamp no earlier than their transaction start, and may commit after we
    // read. A session of another role shows no state to us (hidden). PGlite reports only its
    // one standalone backend, and runs one transaction at a time anyway.
    const [row]: Array<{ at: Date; oldest: Date | null; hidden: number }> = await this.dataSource.query(
      `SELECT clock_timestamp() AS at,
              min(xact_start) FILTER (WHERE pid <> pg_backend_pid()) AS oldest,
              count(*) FILTER (WHERE pid <> pg_backend_pid() AND state IS NULL)::int AS hidden
       FROM pg_stat_activity
       WHERE datname = current_database() AND backend_type = 'client backend'`,
    );
    return { at: new Date(row.at), oldestOpen: row.oldest ? new Date(row.oldest) : null, hiddenSessions: Number(row.hidden) };
  }

  async read(q: RowQuery): Promise<SeriesRows[]> {
    const out: SeriesRows[] = [];
    for await (const rows of this.readInChunks(q)) out.push(...rows);
    return out;
  }

  /**
   * A refresh is two statements at once, counters and histograms (the database works on both
   * while this process waits); a hydration is one per chunk of series, a chunk ahead.
   */
  async *readInChunks(q: RowQuery): AsyncIterable<SeriesRows[]> {
    const chunk = q.changedSince ? Infinity : SERIES_PER_QUERY;
    const chunks: Array<Pick<RowQuery, 'counters' | 'histograms'>> = [];
    if (q.changedSince && q.counters.length > 0 && q.histograms.length > 0) {
      chunks.push({ counters: q.counters, histograms: [] }, { counters: [], histograms: q.histograms });
    }
    let c = chunks.length > 0 ? q.counters.length : 0;
    let h = chunks.length > 0 ? q.histograms.length : 0;
    while (c < q.counters.length || h < q.histograms.length) {
      const counters = q.counters.slice(c, c + chunk);
      c += counters.length;
      const histograms = q.histograms.slice(h, h + Math.max(0, chunk - counters.length));
      h += histograms.length;
      chunks.push({ counters, histograms });
    }
    const inFlight: Array<Promise<SeriesRows[]>> = [];
    let next = 0;
    const start = () => {
      if (next >= chunks.length) return;
      const read = this.readChunk({ ...q, ...chunks[next++] });
      // Awaited below; a chunk failing while an earlier one is awaited must not go unhandled.
      read.catch(() => undefined);
      inFlight.push(read);
    };
    for (let i = 0; i < QUERIES_IN_FLIGHT; i++) start();
    while (inFlight.length > 0) {
      const rows = await inFlight.shift()!;
      start();
      yield rows;
    }
  }

  /**
   * One statement over the four tables. Without ORDER BY: all aggregates of a group see its
   * rows in the same order, so the i-th entries of at, value and le belong together, and the
   * cache sorts what it needs (a sort here spills to disk on large hydrations).
   *
   * A refresh (changedSince) reads the buckets listed in `sli_changes` rows stamped since the
   * watermark, each whole (every bound of a histogram bucket), by primary key.
   */
  private async readChunk(q: RowQuery): Promise<SeriesRows[]> {
    const params: unknown[] = [];
    const param = (value: unknown, type: string) => `$${params.push(value)}::${type}`;
    const since = q.changedSince ? param(q.changedSince.toISOString(), 'timestamptz') : null;
    const counters = q.counters.length ? param(q.counters, 'text[]') : null;
    const histograms = q.histograms.length ? param(q.histograms, 'text[]') : null;
    const parts: string[] = [];
    for (const res of ['minute', 'hour'] as const) {
      // date_part is float8 (extract is numeric, several times slower); bucket starts divide exactly.
      const idx = `(date_part('epoch', ${res}) / ${BUCKET_MS[res] / 1000})::int`;
      const select = (kind: 'counter' | 'histogram', series: string) => {
        const table = `sli_${kind}_${res}`;
        const columns =
          kind === 'counter'
            ? `'counter' AS kind, '${res}' AS resolution, series, string_agg(${idx}::text, ',') AS at, string_agg(value::text, ',') AS value, NULL AS le`
            : `'histogram' AS kind, '${res}' AS resolution, series, string_agg(${idx}::text, ',') AS at, string_agg(count::text, ',') AS value, string_agg(le::text, ',') AS le`;
        if (!since) {
          const from = param(new Date(q.from[res] * BUCKET_MS[res]).toISOString(), 'timestamptz');
          return `SELECT ${columns} FROM ${table} WHERE series = ANY(${series}) AND ${res} >= ${from} GROUP BY series`;
        }
        // Minute indexes in the log; an hour index is the minute's divided by 60 (integer
        // division: indexes are positive). OFFSET 0 keeps the planner from flattening the
        // lookup into a join it misjudges: it cannot estimate how few buckets changed, and
        // would scan the whole table.
        const bucket = res === 'minute' ? 'c.m' : '(c.m / 60)';
        const before = res === 'hour' && q.changedHoursBefore !== undefined ? ` AND ${bucket} < ${param(q.changedHoursBefore, 'int')}` : '';
        return `SELECT ${columns} FROM (
                  SELECT DISTINCT c.series AS changed_series, to_timestamp(${bucket}::float8 * ${BUCKET_MS[res] / 1000}) AS changed_at
                  FROM sli_changes ch CROSS JOIN LATERAL unnest(ch.series, ch.minutes) AS c(series, m)
                  WHERE ch.at >= ${since} AND c.series = ANY(${series}) AND ${bucket} >= ${param(q.from[res], 'int')}${before}
                ) c CROSS JOIN LATERAL (
                  SELECT * FROM ${table} r WHERE r.series = c.changed_series AND r.${res} = c.changed_at OFFSET 0
                ) r
                GROUP BY series`;
      };
      if (counters) parts.push(select('counter', counters));
      if (histograms) parts.push(select('histogram', histograms));
    }
    if (parts.length === 0) return [];
    const sql = parts.join('\nUNION ALL\n');
    const rows: RawRows = q.changedSince
      ? // A refresh reads little; parallel workers would cost more to start than they save.
        await this.dataSource.transaction(async (m) => {
          await m.query('SET LOCAL max_parallel_workers_per_gather = 0');
          // Grouping a minute of changes for thousands of series needs more than the default
          // 4 MB, or the aggregate spills to disk.
          await m.query(`SET LOCAL work_mem = '64MB'`);
          return m.query(sql, params);
        })
      : await this.dataSource.query(sql, params);
    return rows.map(parsed);
  }
}
