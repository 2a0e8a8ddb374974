// Rewrites OpenSLO Prometheus queries into the forms Headroom's Prometheus SLIs take. Pure
// string work over a small PromQL scanner (strings, comments, parentheses, range brackets):
// enough to find every `[range]` and the function it belongs to, without a full parser.

export type QueryResult = { ok: true; query: string } | { ok: false; reason: string };

/** The placeholder Headroom substitutes with each alert window (5m, 1h, 3d…). */
export const WINDOW = '{{window}}';

/** Functions whose range argument counts events over the range, so any window works. */
const COUNTING = new Set(['rate', 'increase']);

interface RangeSelector {
  /** Index of `[` and of the matching `]`. */
  open: number;
  close: number;
  content: string;
  /** The function whose argument list directly encloses the range, '' when none. */
  func: string;
}

interface Scan {
  ranges: RangeSelector[];
  /** Identifiers outside strings and comments, in order (metric names, functions, keywords). */
  identifiers: Array<{ name: string; start: number; end: number }>;
  error?: string;
}

function scan(query: string): Scan {
  const ranges: RangeSelector[] = [];
  const identifiers: Scan['identifiers'] = [];
  // One entry per open parenthesis: the function it calls ('' for grouping or `by (…)`).
  const parens: string[] = [];
  let lastIdentifier: { name: string; end: number } | undefined;
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < query.length && query[j] !== c) j += c !== '`' && query[j] === '\\' ? 2 : 1;
      if (j >= query.length) return { ranges, identifiers, error: `unterminated string starting at character ${i + 1}` };
      i = j + 1;
      lastIdentifier = undefined;
      continue;
    }
    if (c === '#') {
      while (i < query.length && query[i] !== '\n') i++;
      continue;
    }
    if (/[a-zA-Z_:]/.test(c)) {
      let j = i + 1;
      while (j < query.length && /[a-zA-Z0-9_:]/.test(query[j])) j++;
      const name = query.slice(i, j);
      identifiers.push({ name, start: i, end: j });
      lastIdentifier = { name, end: j };
      i = j;
      continue;
    }
    if (c === '(') {
      const between = lastIdentifier ? query.slice(lastIdentifier.end, i) : 'x';
      parens.push(lastIdentifier && /^\s*$/.test(between) ? lastIdentifier.name : '');
    } else if (c === ')') {
      parens.pop();
    } else if (c === '[') {
      const close = query.indexOf(']', i);
      if (close < 0) return { ranges, identifiers, error: `unclosed [ at character ${i + 1}` };
      ranges.push({ open: i, close, content: query.slice(i + 1, close).trim(), func: parens.at(-1) ?? '' });
      i = close + 1;
      lastIdentifier = undefined;
      continue;
    } else if (!/\s/.test(c)) {
      lastIdentifier = undefined;
    }
    i++;
  }
  return { ranges, identifiers };
}

/**
 * Turns an event-counting query into one Headroom can evaluate over any window: every range
 * of a `rate(…[5m])` or `increase(…[1h])` becomes `[{{window}}]`. A query already written
 * with `{{window}}` (or Sloth's `{{.window}}`) is kept. Anything else cannot be re-windowed
 * and comes back with the reason.
 */
export function windowedQuery(input: string): QueryResult {
  const query = input.trim().replace(/\{\{\s*\.?window\s*\}\}/g, WINDOW);
  if (query === '') return { ok: false, reason: 'the query is empty' };
  // Hide the placeholder from the scanner: `[{{window}}]` is already in the wanted form.
  const masked = query.split(WINDOW).join('__window__');
  const s = scan(masked);
  if (s.error) return { ok: false, reason: `cannot read the query: ${s.error}` };
  let out = '';
  let from = 0;
  for (const r of s.ranges) {
    if (r.content.includes(':')) {
      return { ok: false, reason: `the subquery [${r.content}] cannot be re-windowed; use rate() or increase() over a range of the counter itself` };
    }
    if (!COUNTING.has(r.func)) {
      const where = r.func ? `${r.func}(…[${r.content}])` : `[${r.content}] outside any function`;
      return {
        ok: false,
        reason: `${where} is not a rate() or increase() over a range, so its result does not scale with the window; Headroom needs the rate of events, e.g. sum(rate(http_requests_total{…}[5m]))`,
      };
    }
    out += masked.slice(from, r.open + 1) + WINDOW;
    from = r.close;
  }
  out += masked.slice(from);
  out = out.split('__window__').join(WINDOW);
  if (!out.includes(WINDOW)) {
    return {
      ok: false,
      reason: 'it has no rate() or increase() over a range, so Headroom cannot count its events per alert window; write it as sum(rate(<counter>{…}[5m])) (the range is replaced by each window)',
    };
  }
  return { ok: true, query: out };
}

export type BucketResult = { ok: true; histogramMetric: string; selector: string } | { ok: false; reason: string };

// Tokens allowed around the bucket selector: the usual `sum by (le) (rate(…[5m]))` wrapping,
// which Headroom does itself when it reads the buckets.
const WRAPPERS = new Set(['sum', 'rate', 'increase', 'by', 'le']);

/**
 * Reads the histogram of a latency thresholdMetric. The documented convention: `query` is the
 * classic histogram's bucket series, `<name>_bucket{labels}`, optionally inside
 * `sum by (le) (rate(…[5m]))`. A `histogram_quantile(…)` query measures a quantile, not the
 * share of requests under the threshold, so it is refused with the selector to write instead.
 */
export function bucketSelector(input: string): BucketResult {
  const query = input.trim();
  const s = scan(query);
  if (s.error) return { ok: false, reason: `cannot read the query: ${s.error}` };
  const buckets = s.identifiers.filter((id) => id.name.endsWith('_bucket'));
  const selectorAt = (id: { end: number }) => {
    const rest = query.slice(id.end);
    const m = /^\s*\{/.exec(rest);
    if (!m) return { text: '{}', end: id.end };
    const open = id.end + m[0].length - 1;
    const close = closingBrace(query, open);
    return close < 0 ? undefined : { text: query.slice(open, close + 1), end: close + 1 };
  };
  const suggestion = () => {
    if (buckets.length !== 1) return 'write spec.query as the bucket series of a classic histogram, e.g. http_request_duration_seconds_bucket{job="ranker"}';
    const sel = selectorAt(buckets[0]);
    return `write spec.query as the bucket series: ${buckets[0].name}${sel && sel.text !== '{}' ? sel.text : ''}`;
  };
  if (s.identifiers.some((id) => id.name === 'histogram_quantile')) {
    return {
      ok: false,
      reason: `histogram_quantile(…) gives a quantile per sample, but a Headroom latency SLI counts the requests at or under the objective's value, which it reads from the histogram's _bucket series; ${suggestion()}`,
    };
  }
  if (buckets.length !== 1) {
    return { ok: false, reason: `Headroom reads a latency thresholdMetric from one classic histogram; ${suggestion()}` };
  }
  const bucket = buckets[0];
  const sel = selectorAt(bucket);
  if (!sel) return { ok: false, reason: 'cannot read the label selector after the _bucket metric (unclosed {)' };
  // Everything around the selector must be the plain sum/rate wrapping.
  const others = s.identifiers.filter((id) => id !== bucket && (id.start < bucket.start || id.start >= sel.end));
  const stray = others.find((id) => !WRAPPERS.has(id.name));
  if (stray) {
    return { ok: false, reason: `"${stray.name}" is more than Headroom can read around a histogram; ${suggestion()}` };
  }
  if (/(^|[{,\s])le\s*(=|!=|=~|!~)/.test(sel.text)) {
    return { ok: false, reason: 'the selector must not match on le: Headroom picks the buckets at or under the threshold itself' };
  }
  const name = bucket.name.slice(0, -'_bucket'.length);
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) return { ok: false, reason: `${bucket.name} is not a Prometheus metric name` };
  return { ok: true, histogramMetric: name, selector: sel.text.replace(/\s*\n\s*/g, ' ') };
}

function closingBrace(query: string, open: number): number {
  for (let i = open + 1; i < query.length; i++) {
    const c = query[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < query.length && query[j] !== c) j += c !== '`' && query[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '}') return i;
  }
  return -1;
}
