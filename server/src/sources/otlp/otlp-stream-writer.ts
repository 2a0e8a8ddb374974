import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../../common/logger';
import { returnedRows } from '../../common/returned-rows';
import type { OtlpSeriesStore } from '../../slo/otlp-series-store';
import type { SliStore } from '../../slo/sli-store';
import { advance, type Increase, type Outcome, type StreamState } from './cumulative';
import { MinuteIncreases } from './minute-increases';
import type { OtlpPoint } from './otlp-points';
import { streamStateRowsJson, type StreamStateRow } from './stream-state-json';

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
  /** The state to write, at the next version (the stored one when nothing changed). */
  result: Versioned;
  /**
   * False when every point was a duplicate or an increase of zero: the stored state already
   * gives the right increase for the next point, so the row is not rewritten (a quiet series,
   * common in a real fleet, then costs the database nothing).
   */
  changed: boolean;
  /** The stream's increases and their times (ms), in point order. */
  increases: Increase[];
  times: number[];
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

const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']); // deadlock, serialization failure
const MAX_ATTEMPTS = 3;

/** Per point of a batch (by index): what happened to it, and whether it added an increase. */
interface PointOutcomes {
  outcome: Outcome[];
  increased: Uint8Array;
}

/** One stream's points (indices into `points`, in time order) against its stored state. */
function convert(from: Versioned, points: readonly OtlpPoint[], indices: readonly number[], outcomes: PointOutcomes): Conversion {
  const out: Conversion = { result: from, changed: false, increases: [], times: [] };
  let state = from.state;
  for (const i of indices) {
    const p = points[i];
    const step = advance(state, p);
    outcomes.outcome[i] = step.outcome;
    outcomes.increased[i] = step.increase ? 1 : 0;
    // A stored point with no increase moves only the state's time, which nothing needs.
    if (step.next && (step.increase !== null || step.outcome !== 'stored')) {
      state = step.next;
      out.changed = true;
    }
    if (!step.increase) continue;
    out.increases.push(step.increase);
    out.times.push(p.timeNs / 1e6);
  }
  if (out.changed) out.result = { version: from.version + 1, state };
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
    private readonly catalog: OtlpSeriesStore,
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
      const streams: string[] = [];
      for (const job of jobs) {
        for (const p of job.points) {
          if (this.busyStreams.has(p.streamId)) continue;
          this.busyStreams.add(p.streamId);
          streams.push(p.streamId);
        }
      }
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
    const points = jobs.length === 1 ? jobs[0].points : jobs.flatMap((j) => j.points);
    const outcomes: PointOutcomes = { outcome: new Array<Outcome>(points.length), increased: new Uint8Array(points.length) };
    let written: { states: Map<string, Versioned>; series: string[] };
    try {
      written = await this.withRetry(() => this.dataSource.transaction((m) => this.writeBatch(m, points, outcomes)));
    } catch (err) {
      // A rolled-back batch may have left cached states ahead of the database.
      for (const p of points) this.states.delete(p.streamId);
      for (const j of jobs) j.reject(err);
      return;
    }
    // Only now that the rows are committed may later batches rely on them.
    for (const id of written.series) this.knownSeries.set(id, true);
    for (const [id, v] of written.states) if ((this.states.get(id)?.version ?? -1) < v.version) this.states.set(id, v);
    let offset = 0;
    for (const job of jobs) {
      const result: WriteResult = { outcomes: { stored: 0, baseline: 0, reset: 0, duplicate: 0 }, series: new Set(), samples: 0 };
      for (let i = 0; i < job.points.length; i++) {
        result.outcomes[outcomes.outcome[offset + i]]++;
        if (outcomes.increased[offset + i]) {
          result.series.add(job.points[i].seriesId);
          result.samples++;
        }
      }
      offset += job.points.length;
      job.resolve(result);
    }
  }

  private async writeBatch(m: EntityManager, points: OtlpPoint[], outcomes: PointOutcomes): Promise<{ states: Map<string, Versioned>; series: string[] }> {
    const firstOfSeries = new Map<string, OtlpPoint>();
    const streams = new Map<string, number[]>();
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      if (!firstOfSeries.has(p.seriesId)) firstOfSeries.set(p.seriesId, p);
      const list = streams.get(p.streamId);
      if (list) list.push(i);
      else streams.set(p.streamId, [i]);
    }
    // Everything goes in key order, so concurrent writers lock rows in the same order. (The
    // default sort compares UTF-16 code units, like `<`, natively.)
    const newSeries = [...firstOfSeries.keys()].filter((id) => !this.knownSeries.has(id)).sort();
    await this.catalog.add(
      m,
      newSeries.map((id) => {
        const p = firstOfSeries.get(id)!;
        return { id, service: p.service, metric: p.metric, kind: p.data.kind, unit: p.unit, attributes: p.attributes };
      }),
    );
    const streamIds = [...streams.keys()].sort();
    for (const list of streams.values()) if (list.length > 1) list.sort((a, b) => points[a].timeNs - points[b].timeNs);

    const base = new Map<string, Versioned>();
    const unknown: string[] = [];
    for (const id of streamIds) {
      const cached = this.states.get(id);
      if (cached) base.set(id, cached);
      else unknown.push(id);
    }
    if (unknown.length > 0) for (const [id, v] of await this.readStates(m, unknown, false)) base.set(id, v);
    const converted = new Map<string, Conversion>();
    for (const id of streamIds) converted.set(id, convert(base.get(id) ?? NEW_STREAM, points, streams.get(id)!, outcomes));
    const changed = streamIds.filter((id) => converted.get(id)!.changed);
    const seriesOf = (id: string) => points[streams.get(id)![0]].seriesId;
    const accepted = changed.length > 0 ? await this.writeStates(m, changed, seriesOf, converted, true) : new Set<string>();
    const moved = changed.filter((id) => !accepted.has(id));
    if (moved.length > 0) {
      this.logger.debug({ streams: moved.length }, 'OTLP streams written by another process meanwhile; converting them again');
      const fresh = await this.readStates(m, moved, true);
      for (const id of moved) converted.set(id, convert(fresh.get(id) ?? NEW_STREAM, points, streams.get(id)!, outcomes));
      const rewrite = moved.filter((id) => converted.get(id)!.changed);
      if (rewrite.length > 0) await this.writeStates(m, rewrite, seriesOf, converted, false);
    }

    const increases = new MinuteIncreases();
    for (const [id, c] of converted) {
      const series = seriesOf(id);
      for (let k = 0; k < c.increases.length; k++) increases.add(series, c.times[k], c.increases[k]);
    }
    if (!increases.empty) await this.store.write(m, { source: 'otlp', ...increases.samples() });
    const states = new Map<string, Versioned>();
    for (const id of changed) states.set(id, converted.get(id)!.result);
    return { states, series: [...firstOfSeries.keys()] };
  }

  private async readStates(m: EntityManager, ids: string[], lock: boolean): Promise<Map<string, Versioned>> {
    const rows: Array<{ stream_id: string; version: number; state: StreamState | null }> = await m.query(
      `SELECT stream_id, version, state FROM otlp_stream_state WHERE stream_id = ANY($1::text[]) ORDER BY stream_id${lock ? ' FOR UPDATE' : ''}`,
      [ids],
    );
    return new Map(rows.map((r) => [r.stream_id, { version: Number(r.version), state: r.state }]));
  }

  /**
   * Writes the converted states, as one JSON parameter (cheaper than escaping thousands of
   * array elements; `json`, not `jsonb`: the database only stores the state, and parsing it
   * into jsonb cost it as much as the rest of the write). With `onlyIfUnchanged`, a stream
   * this process has seen is a plain UPDATE where the row is still at the version converted
   * against (no series id to send, no speculative insert), and a new one an INSERT that yields
   * to a row another process created meanwhile; without it (rows read under FOR UPDATE), an
   * upsert. Returns the ids written.
   */
  private async writeStates(m: EntityManager, ids: string[], seriesOf: (id: string) => string, converted: Map<string, Conversion>, onlyIfUnchanged: boolean): Promise<Set<string>> {
    const written = new Set<string>();
    const run = async (sql: string, rows: StreamStateRow[]) => {
      if (rows.length === 0) return;
      for (const r of returnedRows<{ stream_id: string }>(await m.query(sql, [streamStateRowsJson(rows)]))) written.add(r.stream_id);
    };
    if (!onlyIfUnchanged) {
      await run(
        `INSERT INTO otlp_stream_state (stream_id, series_id, state, version, updated_at)
         SELECT t.id, t.series, t.state, t.version, now() FROM json_to_recordset($1::json) AS t(id text, series text, state json, version integer)
         ON CONFLICT ON CONSTRAINT pk_otlp_stream_state
         DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
         RETURNING stream_id`,
        ids.map((id) => ({ id, series: seriesOf(id), ...converted.get(id)!.result })),
      );
      return written;
    }
    const known: StreamStateRow[] = [];
    const fresh: StreamStateRow[] = [];
    for (const id of ids) {
      const { version, state } = converted.get(id)!.result;
      if (version > 1) known.push({ id, state, version });
      else fresh.push({ id, series: seriesOf(id), state, version });
    }
    // Rows are visited in the order given (sorted), so two writers lock them in the same order.
    await run(
      `UPDATE otlp_stream_state s SET state = t.state, version = t.version, updated_at = now()
       FROM json_to_recordset($1::json) AS t(id text, state json, version integer)
       WHERE s.stream_id = t.id AND s.version = t.version - 1
       RETURNING s.stream_id`,
      known,
    );
    await run(
      `INSERT INTO otlp_stream_state (stream_id, series_id, state, version, updated_at)
       SELECT t.id, t.series, t.state, t.version, now() FROM json_to_recordset($1::json) AS t(id text, series text, state json, version integer)
       ON CONFLICT ON CONSTRAINT pk_otlp_stream_state DO NOTHING
       RETURNING stream_id`,
      fresh,
    );
    return written;
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
