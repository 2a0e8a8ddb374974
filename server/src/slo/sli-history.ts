import type { DataSource } from 'typeorm';
import type { SloDefinition } from '../rules/slo-definition';
import type { MinuteCounts } from './backtest';
import { countAtOrBelow } from './histogram-quantile';
import type { RollupSliReader } from './rollup-sli-reader';

const MINUTE = 60_000;

/**
 * Per-minute good/total of one SLO over a time range, from the minute rollups: the input of
 * back-testing and of the console's charts. Minutes without data are zero.
 */
export async function loadMinuteCounts(ds: DataSource, reader: RollupSliReader, slo: SloDefinition, from: Date, to: Date): Promise<MinuteCounts[]> {
  const series = (await reader.resolveSeries([slo])).get(slo.id);
  const first = Math.floor(from.getTime() / MINUTE) * MINUTE;
  const last = Math.floor(to.getTime() / MINUTE) * MINUTE;
  const minutes = new Map<number, MinuteCounts>();
  for (let at = first; at <= last; at += MINUTE) minutes.set(at, { at, good: 0, total: 0 });
  if (!series) return [...minutes.values()];
  const range = [new Date(first).toISOString(), new Date(last).toISOString()];
  if (series.kind === 'events') {
    const rows: Array<{ minute: Date; series: string; value: number }> = await ds.query(
      `SELECT minute, series, value FROM sli_counter_minute WHERE series = ANY($1) AND minute >= $2 AND minute <= $3`,
      [[...series.total, ...(series.bad ?? []), ...(series.good ?? [])], ...range],
    );
    const totals = new Set(series.total);
    const goods = new Set(series.good ?? []);
    const partial = new Map<number, { total: number; good: number; bad: number }>();
    for (const r of rows) {
      const at = new Date(r.minute).getTime();
      const p = partial.get(at) ?? { total: 0, good: 0, bad: 0 };
      if (totals.has(r.series)) p.total += Number(r.value);
      else if (goods.has(r.series)) p.good += Number(r.value);
      else p.bad += Number(r.value);
      partial.set(at, p);
    }
    for (const [at, p] of partial) {
      const m = minutes.get(at);
      if (!m) continue;
      m.total = p.total;
      m.good = Math.min(p.total, Math.max(0, series.good ? p.good : p.total - p.bad));
    }
  } else {
    const rows: Array<{ minute: Date; le: number; count: number }> = await ds.query(
      `SELECT minute, le, sum(count) AS count FROM sli_histogram_minute
       WHERE series = ANY($1) AND minute >= $2 AND minute <= $3 GROUP BY minute, le ORDER BY minute, le`,
      [series.histogram, ...range],
    );
    const perMinute = new Map<number, Array<{ le: number; count: number }>>();
    for (const r of rows) {
      const at = new Date(r.minute).getTime();
      const list = perMinute.get(at) ?? [];
      const running = (list.length ? list[list.length - 1].count : 0) + Number(r.count);
      list.push({ le: Number(r.le), count: running });
      perMinute.set(at, list);
    }
    for (const [at, buckets] of perMinute) {
      const m = minutes.get(at);
      if (!m || buckets.length === 0) continue;
      m.total = buckets[buckets.length - 1].count;
      const good = countAtOrBelow(series.thresholdSeconds, buckets);
      m.good = Number.isFinite(good) ? good : 0;
    }
  }
  return [...minutes.values()];
}
