import type { StreamState } from './cumulative';

/**
 * The JSON of stream states as the writer stores them: the same text as `JSON.stringify`, made
 * faster for the steady state, where every point of a batch rewrites its stream's state. Two
 * parts of a histogram state dominated the cost of stringifying it, and both repeat:
 *
 * - the nanosecond timestamps (~1.7e18, beyond 2^53): V8 prints such a double slowly, and the
 *   points of one export share their start and time, so the last two numbers printed are kept;
 * - the explicit bounds (14 doubles for OpenTelemetry's defaults): the normalizer hands out one
 *   array for equal bounds (otlp-points.ts), so each array is printed once and remembered.
 */
const boundsJson = new WeakMap<readonly number[], string>();

function boundsText(bounds: readonly number[]): string {
  let text = boundsJson.get(bounds);
  if (text === undefined) {
    text = JSON.stringify(bounds);
    boundsJson.set(bounds, text);
  }
  return text;
}

let lastNumber = Number.NaN;
let lastText = '';
let otherNumber = Number.NaN;
let otherText = '';

/** A timestamp's JSON, remembered for the last two (a stream's start and the export's time). */
function timeText(n: number): string {
  if (n === lastNumber) return lastText;
  if (n === otherNumber) return otherText;
  otherNumber = lastNumber;
  otherText = lastText;
  lastNumber = n;
  lastText = JSON.stringify(n);
  return lastText;
}

export function streamStateJson(state: StreamState | null): string {
  if (state === null || state.kind !== 'histogram') return JSON.stringify(state);
  return `{"kind":"histogram","startNs":${timeText(state.startNs)},"timeNs":${timeText(state.timeNs)},"bounds":${boundsText(state.bounds)},"counts":${JSON.stringify(state.counts)}}`;
}

/** A stream state row of the writer's statements, as JSON; `series` only for a row that may be inserted. */
export interface StreamStateRow {
  id: string;
  series?: string;
  version: number;
  state: StreamState | null;
}

/** The rows as one JSON array: equal, once parsed, to `JSON.stringify(rows)`. */
export function streamStateRowsJson(rows: readonly StreamStateRow[]): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const series = r.series === undefined ? '' : `"series":${JSON.stringify(r.series)},`;
    parts[i] = `{"id":${JSON.stringify(r.id)},${series}"version":${r.version},"state":${streamStateJson(r.state)}}`;
  }
  return `[${parts.join(',')}]`;
}
