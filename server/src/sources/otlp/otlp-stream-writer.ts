import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../../common/logger';
import type { CounterSample, HistogramSample, SliStore } from '../../slo/sli-store';
import { advance, type Outcome, type StreamState } from './cumulative';
import type { OtlpPoint } from './otlp-points';

/** What became of one request's points. */
export interface WriteResult {
  outcomes: Record<Outcome, number>;
  /** Series that received an increase. */
  series: Set<string>;
  /** Rollup samples written (one per point with an increase). */
  samples: number;
}

/** A stream's state as stored, with the version that goes up on every write. */
interface Versioned {
  version: number;
  state: StreamState | null;
}
const NEW_STREAM: Versioned = { version: 0, state: null };

interface Conversion {
  /** The state to write, at the next version. */
  result: Versioned;
  counters: CounterSample[];
  histograms: HistogramSample[];
}

interface Job {
  points: OtlpPoint[];
  resolve: (r: WriteResult) => void;
  reject: (err: unknown) => void;
}

/** A cache that forgets everything when full (cheaper than LRU bookkeeping per point). */
class BoundedMap<K, V> {
  private map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  has(key: K): boolean {
    return this.map.has(key);
  }
  set(key: K, value: V): void {
    if (this.map.size >= this.max && !this.map.has(key)) this.map = new Map();
    this.map.set(key, value);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const MINUTE_MS = 60_000;

/**
 * Adds up the increases of one series within one minute (the pods of a service exporting the
 * same series), so the store has one sample per rollup row to upsert instead of one per pod.
 */
export function mergeByMinute(counters: CounterSample[], histograms: HistogramSample[]): { counters: CounterSample[]; histograms: HistogramSample[] } {
  const sums = new Map<string, CounterSample>();
  for (const c of counters) {
    const minute = Math.floor(c.at.getTime() / MINUTE_MS) * MINUTE_MS;
    const key = `${c.series}\u0000${minute}`;
    const row = sums.get(key);
    if (row) row.value += c.value;
    else sums.set(key, { series: c.series, at: new Date(minute), value: c.value });
  }
  const buckets = new Map<string, { series: string; at: Date; counts: Map<number, number> }>();
  for (const h of histograms) {
    const minute = Math.floor(h.at.getTime() / MINUTE_MS) * MINUTE_MS;
    const key = `${h.series}\u0000${minute}`;
    let row = buckets.get(key);
    if (!row) buckets.set(key, (row = { series: h.series, at: new Date(minute), counts: new Map() }));
    for (const b of h.buckets) row.counts.set(b.le, (row.counts.get(b.le) ?? 0) + b.count);
  }
  return {
    counters: [...sums.values()],
    histograms: [...buckets.values()].map((r) => ({ series: r.series, at: r.at, buckets: [...r.counts].map(([le, count]) => ({ le, count })) })),
  };
}
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']); // deadlock, serialization failure
const MAX_ATTEMPTS = 3;

/** Per point: what happened to it, and whether it added an increase to the rollups. */
type PointOutcomes = Map<OtlpPoint, { outcome: Outcome; increased: boolean }>;

/** One stream's points (in time order) against its stored state; outcomes are recorded per point. */
function convert(from: Versioned, points: OtlpPoint[], outcomes: PointOutcomes): Conversion {
  const out: Conversion = { result: { version: from.version + 1, state: from.state }, counters: [], histograms: [] };
  let state = from.state;
  for (const p of points) {
    const step = advance(state, p);
    outcomes.set(p, { outcome: step.outcome, increased: step.increase !== null });
    if (step.next) state = step.next;
    if (!step.increase) continue;
    const at = new Date(p.timeNs / 1e6);
    if (step.increase.kind === 'sum') out.counters.push({ series: p.seriesId, at, value: step.increase.value });
    else out.histograms.push({ series: p.seriesId, at, buckets: step.increase.buckets });
  }
  out.result.state = state;
  return out;
}

/**
 * Writes OTLP points: the series catalog, each stream's state (for cumulative → increase) and
 * the rollups, in one transaction.
 *
 * Group commit: requests that arrive while a transaction runs are written together in the next
 * one (up to `maxBatchPoints`), so the pods of a service pushing at the same moment share one
 * upsert of their common rollup rows, and the database sees a few large statements instead of
 * many small ones. Two batches may be in flight (on two connections), so the server converts
 * one while the database writes the other; a stream is never in both. A request is answered
 * once its transaction commits; if it fails, every request in it gets the error (and the
 * exporters retry).
 *
 * Stream state is optimistic: points are converted against the state this process last wrote
 * (other streams are read without a lock), and each stream is written only where its version is
 * still the one converted against. That write holds the row lock until commit, so an accepted
 * stream cannot change underneath; a stream another process moved meanwhile is read again under
 * FOR UPDATE and converted again. Steady state: one statement for every stream of the batch.
 */
export class OtlpStreamWriter {
  private readonly knownSeries = new BoundedMap<string, true>(200_000);
  private readonly states = new BoundedMap<string, Versioned>(200_000);
  private readonly queue: Job[] = [];
  /** Streams of the batches being committed: a job touching one waits for that batch. */
  private readonly busyStreams = new Set<string>();
  private committing = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: SliStore,
    private readonly logger: Logger,
    private readonly maxBatchPoints = 20_000,
    /** Batches committed at once: while one waits for the database the next one is converted. */
    private readonly maxConcurrentBatches = 2,
  ) {}

  write(points: OtlpPoint[]): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ points, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts batches while fewer than `maxConcurrentBatches` are committing. Jobs are taken in
   * order, and stop at the first one that shares a stream with a batch in flight: a stream's
   * points are always converted against the state its previous batch committed.
   */
  private pump(): void {
    while (this.queue.length > 0 && this.committing < this.maxConcurrentBatches && !this.touchesBusy(this.queue[0])) {
      const jobs = [this.queue.shift()!];
      let size = jobs[0].points.length;
      while (this.queue.length > 0 && size + this.queue[0].points.length <= this.maxBatchPoints && !this.touchesBusy(this.queue[0])) {
        size += this.queue[0].points.length;
        jobs.push(this.queue.shift()!);
      }
      const streams = new Set(jobs.flatMap((j) => j.points.map((p) => p.streamId)));
      for (const id of streams) this.busyStreams.add(id);
      this.committing++;
      void this.commit(jobs).finally(() => {
        for (const id of streams) this.busyStreams.delete(id);
        this.committing--;
        this.pump();
      });
    }
  }

  private touchesBusy(job: Job): boolean {
    if (this.busyStreams.size === 0) return false;
    for (const p of job.points) if (this.busyStreams.has(p.streamId)) return true;
    return false;
  }

  private async commit(jobs: Job[]): Promise<void> {
    const points = jobs.flatMap((j) => j.points);
    const outcomes: PointOutcomes = new Map();
    let states: Map<string, Versioned>;
    try {
      states = await this.withRetry(() => {
        outcomes.clear();
        return this.dataSource.transaction((m) => this.writeBatch(m, points, outcomes));
      });
    } catch (err) {
      // A rolled-back batch may have left cached states ahead of the database.
      for (const p of points) this.states.delete(p.streamId);
      for (const j of jobs) j.reject(err);
      return;
    }
    // Only now that the rows are committed may later batches rely on them.
    for (const p of points) this.knownSeries.set(p.seriesId, true);
    for (const [id, v] of states) if ((this.states.get(id)?.version ?? -1) < v.version) this.states.set(id, v);
    for (const job of jobs) {
      const result: WriteResult = { outcomes: { stored: 0, baseline: 0, reset: 0, duplicate: 0 }, series: new Set(), samples: 0 };
      for (const p of job.points) {
        const { outcome, increased } = outcomes.get(p)!;
        result.outcomes[outcome]++;
        if (increased) {
          result.series.add(p.seriesId);
          result.samples++;
        }
      }
      job.resolve(result);
    }
  }

  private async writeBatch(m: EntityManager, points: OtlpPoint[], outcomes: PointOutcomes): Promise<Map<string, Versioned>> {
    const firstOfSeries = new Map<string, OtlpPoint>();
    const streams = new Map<string, OtlpPoint[]>();
    for (const p of points) {
      if (!firstOfSeries.has(p.seriesId)) firstOfSeries.set(p.seriesId, p);
      const list = streams.get(p.streamId);
      if (list) list.push(p);
      else streams.set(p.streamId, [p]);
    }
    // Everything goes in key order, so concurrent writers lock rows in the same order.
    const newSeries = [...firstOfSeries.keys()].filter((id) => !this.knownSeries.has(id)).sort(byString);
    if (newSeries.length > 0) {
      await m.query(
        `INSERT INTO otlp_series (series_id, service_name, metric_name, kind, unit, attributes)
         SELECT t.id, t.service, t.metric, t.kind, t.unit, t.attributes
         FROM jsonb_to_recordset($1::jsonb) AS t(id text, service text, metric text, kind text, unit text, attributes jsonb)
         ON CONFLICT ON CONSTRAINT pk_otlp_series DO NOTHING`,
        [
          JSON.stringify(
            newSeries.map((id) => {
              const p = firstOfSeries.get(id)!;
              return { id, service: p.service, metric: p.metric, kind: p.data.kind, unit: p.unit, attributes: p.attributes };
            }),
          ),
        ],
      );
    }
    const streamIds = [...streams.keys()].sort(byString);
    for (const list of streams.values()) list.sort((a, b) => a.timeNs - b.timeNs);

    const base = new Map<string, Versioned>();
    const unknown: string[] = [];
    for (const id of streamIds) {
      const cached = this.states.get(id);
      if (cached) base.set(id, cached);
      else unknown.push(id);
    }
    if (unknown.length > 0) for (const [id, v] of await this.readStates(m, unknown, false)) base.set(id, v);
    const converted = new Map(streamIds.map((id) => [id, convert(base.get(id) ?? NEW_STREAM, streams.get(id)!, outcomes)]));
    const accepted = await this.writeStates(m, streamIds, streams, converted, true);
    const moved = streamIds.filter((id) => !accepted.has(id));
    if (moved.length > 0) {
      this.logger.debug({ streams: moved.length }, 'OTLP streams written by another process meanwhile; converting them again');
      const fresh = await this.readStates(m, moved, true);
      for (const id of moved) converted.set(id, convert(fresh.get(id) ?? NEW_STREAM, streams.get(id)!, outcomes));
      await this.writeStates(m, moved, streams, converted, false);
    }

    const counters: CounterSample[] = [];
    const histograms: HistogramSample[] = [];
    for (const c of converted.values()) {
      for (const s of c.counters) counters.push(s);
      for (const h of c.histograms) histograms.push(h);
    }
    if (counters.length + histograms.length > 0) await this.store.write(m, { source: 'otlp', ...mergeByMinute(counters, histograms) });
    return new Map([...converted].map(([id, c]) => [id, c.result]));
  }

  private async readStates(m: EntityManager, ids: string[], lock: boolean): Promise<Map<string, Versioned>> {
    const rows: Array<{ stream_id: string; version: number; state: StreamState | null }> = await m.query(
      `SELECT stream_id, version, state FROM otlp_stream_state WHERE stream_id = ANY($1::text[]) ORDER BY stream_id${lock ? ' FOR UPDATE' : ''}`,
      [ids],
    );
    return new Map(rows.map((r) => [r.stream_id, { version: Number(r.version), state: r.state }]));
  }

  /**
   * Upserts the converted states, as one JSON parameter (cheaper than escaping thousands of
   * array elements); with `onlyIfUnchanged`, only rows still at the version converted against.
   * Returns the ids written.
   */
  private async writeStates(m: EntityManager, ids: string[], streams: Map<string, OtlpPoint[]>, converted: Map<string, Conversion>, onlyIfUnchanged: boolean): Promise<Set<string>> {
    const rows = ids.map((id) => {
      const { version, state } = converted.get(id)!.result;
      return { id, series: streams.get(id)![0].seriesId, state, version };
    });
    const written: Array<{ stream_id: string }> = await m.query(
      `INSERT INTO otlp_stream_state (stream_id, series_id, state, version, updated_at)
       SELECT t.id, t.series, t.state, t.version, now() FROM jsonb_to_recordset($1::jsonb) AS t(id text, series text, state jsonb, version integer)
       ON CONFLICT ON CONSTRAINT pk_otlp_stream_state
       DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
       ${onlyIfUnchanged ? 'WHERE otlp_stream_state.version = EXCLUDED.version - 1' : ''}
       RETURNING stream_id`,
      [JSON.stringify(rows)],
    );
    return new Set(written.map((r) => r.stream_id));
  }

  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE_SQLSTATES.has(code)) throw err;
        this.logger.warn({ code, attempt }, 'OTLP batch hit a lock conflict; retrying');
      }
    }
  }
}
