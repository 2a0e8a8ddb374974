import type { DataSource, EntityManager } from 'typeorm';
import type {
  CounterWindowSums,
  HistogramWindowSums,
  SampleBatch,
  SliStore,
  WindowQuery,
} from './sli-store';

const MINUTE_MS = 60_000;

export function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
}

/**
 * Minute rollups in PostgreSQL. Writes add to the minute's row (upsert), so samples may arrive
 * in any split. A window of w seconds ending at `now` covers the minute buckets that start at
 * or after now - w: the oldest partial minute is left out rather than over-counted.
 */
export class PostgresSliStore implements SliStore {
  constructor(private readonly dataSource: DataSource) {}

  async write(manager: EntityManager, batch: SampleBatch): Promise<void> {
    const counters = new Map<string, { series: string; minute: Date; value: number }>();
    for (const s of batch.counters) {
      if (!Number.isFinite(s.value)) continue;
      const minute = minuteOf(s.at);
      const key = `${s.series}\u0000${minute.getTime()}`;
      const row = counters.get(key) ?? { series: s.series, minute, value: 0 };
      row.value += s.value;
      counters.set(key, row);
    }
    const buckets = new Map<string, { series: string; minute: Date; le: number; count: number }>();
    for (const h of batch.histograms) {
      const minute = minuteOf(h.at);
      for (const b of h.buckets) {
        const key = `${h.series}\u0000${minute.getTime()}\u0000${b.le}`;
        const row = buckets.get(key) ?? { series: h.series, minute, le: b.le, count: 0 };
        row.count += b.count;
        buckets.set(key, row);
      }
    }
    if (counters.size > 0) {
      const rows = [...counters.values()];
      await manager.query(
        `INSERT INTO sli_counter_minute (series, minute, value)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[])
         ON CONFLICT ON CONSTRAINT pk_sli_counter_minute
         DO UPDATE SET value = sli_counter_minute.value + EXCLUDED.value`,
        [rows.map((r) => r.series), rows.map((r) => r.minute.toISOString()), rows.map((r) => r.value)],
      );
    }
    if (buckets.size > 0) {
      const rows = [...buckets.values()];
      await manager.query(
        `INSERT INTO sli_histogram_minute (series, minute, le, count)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[], $4::float8[])
         ON CONFLICT ON CONSTRAINT pk_sli_histogram_minute
         DO UPDATE SET count = sli_histogram_minute.count + EXCLUDED.count`,
        [
          rows.map((r) => r.series),
          rows.map((r) => r.minute.toISOString()),
          rows.map((r) => (Number.isFinite(r.le) ? String(r.le) : 'Infinity')),
          rows.map((r) => r.count),
        ],
      );
    }
  }

  /** One query for every series and window: a FILTER per window over the longest window. */
  async counterSums(q: WindowQuery): Promise<CounterWindowSums> {
    const out: CounterWindowSums = new Map();
    if (q.series.length === 0 || q.windowsSeconds.length === 0) return out;
    const starts = q.windowsSeconds.map((w) => new Date(q.now.getTime() - w * 1000).toISOString());
    const filters = starts.map((_, i) => `COALESCE(sum(value) FILTER (WHERE minute >= $${i + 3}), 0) AS w${i}`).join(', ');
    const oldest = starts.reduce((a, b) => (a < b ? a : b));
    const rows: Array<Record<string, string | number>> = await this.dataSource.query(
      `SELECT series, ${filters} FROM sli_counter_minute
       WHERE series = ANY($1) AND minute >= $2::timestamptz AND minute <= $${starts.length + 3}::timestamptz
       GROUP BY series`,
      [q.series, oldest, ...starts, q.now.toISOString()],
    );
    for (const series of q.series) out.set(series, new Map(q.windowsSeconds.map((w) => [w, 0])));
    for (const row of rows) {
      const sums = out.get(String(row.series))!;
      q.windowsSeconds.forEach((w, i) => sums.set(w, Number(row[`w${i}`])));
    }
    return out;
  }

  async histogramSums(q: WindowQuery): Promise<HistogramWindowSums> {
    const out: HistogramWindowSums = new Map();
    if (q.series.length === 0 || q.windowsSeconds.length === 0) return out;
    const starts = q.windowsSeconds.map((w) => new Date(q.now.getTime() - w * 1000).toISOString());
    const filters = starts.map((_, i) => `COALESCE(sum(count) FILTER (WHERE minute >= $${i + 3}), 0) AS w${i}`).join(', ');
    const oldest = starts.reduce((a, b) => (a < b ? a : b));
    const rows: Array<Record<string, string | number>> = await this.dataSource.query(
      `SELECT series, le, ${filters} FROM sli_histogram_minute
       WHERE series = ANY($1) AND minute >= $2::timestamptz AND minute <= $${starts.length + 3}::timestamptz
       GROUP BY series, le ORDER BY series, le`,
      [q.series, oldest, ...starts, q.now.toISOString()],
    );
    for (const series of q.series) out.set(series, new Map(q.windowsSeconds.map((w) => [w, []])));
    for (const row of rows) {
      const perWindow = out.get(String(row.series))!;
      q.windowsSeconds.forEach((w, i) => {
        perWindow.get(w)!.push({ le: Number(row.le), count: Number(row[`w${i}`]) });
      });
    }
    // Turn per-bucket counts into Prometheus-style cumulative counts.
    for (const perWindow of out.values()) {
      for (const [w, buckets] of perWindow) {
        let running = 0;
        perWindow.set(
          w,
          buckets.map((b) => ({ le: b.le, count: (running += b.count) })),
        );
      }
    }
    return out;
  }
}
