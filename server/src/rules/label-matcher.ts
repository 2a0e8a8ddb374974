import { RE2JS } from 're2js';

/**
 * Label matchers in Alertmanager's model: a label name, a value, and whether the value is a
 * regular expression and whether the match is negated. Regular expressions are anchored at both
 * ends, and a label that is absent matches as the empty string, both as in Alertmanager, so a
 * silence or a route copied from an Alertmanager configuration behaves the same here.
 *
 * Expressions run on RE2 (re2js, a pure JavaScript port): matching takes time linear in the
 * label's length whatever the expression, so a silence such as `(.*.*)*X` — stored, and
 * matched against every alert — cannot stall the process the way a backtracking engine lets
 * it. RE2 is also the syntax Alertmanager and Prometheus use (Go's regexp), so an expression
 * copied from their configuration means the same here.
 */
export interface LabelMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export type Labels = Readonly<Record<string, string>>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MATCHER_TEXT = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** Parses `service="ranker"`, `severity=~"critical|error"`, `env!=dev` (quotes optional). */
export function parseMatcher(text: string): LabelMatcher {
  const m = MATCHER_TEXT.exec(text);
  if (!m) throw new Error(`"${text}" is not a matcher: write label="value", label!="value", label=~"regex" or label!~"regex"`);
  const [, name, op, rawValue] = m;
  let value = rawValue;
  if (value.startsWith('"')) {
    if (value.length < 2 || !value.endsWith('"')) throw new Error(`"${text}": the value's closing quote is missing`);
    try {
      value = JSON.parse(value) as string;
    } catch {
      throw new Error(`"${text}": the quoted value is not a valid string`);
    }
  }
  const matcher = { name, value, isRegex: op === '=~' || op === '!~', isEqual: op === '=' || op === '=~' };
  const problem = matcherProblem(matcher);
  if (problem) throw new Error(`"${text}": ${problem}`);
  return matcher;
}

export function formatMatcher(m: LabelMatcher): string {
  const op = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

/** Longest regular expression a matcher may hold (a label value is short; this bounds compile time and memory). */
export const MAX_REGEX_LENGTH = 1024;

/** Why a matcher cannot be used, or null when it can. */
export function matcherProblem(m: LabelMatcher): string | null {
  if (!isLabelName(m.name)) return `label name "${m.name}" must match [a-zA-Z_][a-zA-Z0-9_]*`;
  if (m.isRegex) {
    if (m.value.length > MAX_REGEX_LENGTH) return `regular expression is longer than ${MAX_REGEX_LENGTH} characters`;
    try {
      compile(m.value);
    } catch (err) {
      return `invalid regular expression (RE2 syntax): ${(err as Error).message}`;
    }
  }
  return null;
}

function compile(value: string): RE2JS {
  return RE2JS.compile(`(?:${value})`);
}

const compiled = new Map<string, RE2JS>();

function regexOf(value: string): RE2JS {
  let re = compiled.get(value);
  if (!re) {
    re = compile(value);
    // The set of distinct regexes in routes and silences is small; the bound only guards
    // against a client creating silences with ever-new expressions.
    if (compiled.size > 1000) compiled.clear();
    compiled.set(value, re);
  }
  return re;
}

export function matches(m: LabelMatcher, labels: Labels): boolean {
  const actual = labels[m.name] ?? '';
  // matches() is a whole-string match: anchored at both ends, as Alertmanager anchors.
  const hit = m.isRegex ? regexOf(m.value).matches(actual) : actual === m.value;
  return m.isEqual ? hit : !hit;
}

export function matchesAll(matchers: readonly LabelMatcher[], labels: Labels): boolean {
  return matchers.every((m) => matches(m, labels));
}

/**
 * A silence whose every matcher also matches the empty string would mute every alert;
 * Alertmanager refuses those, and so do we.
 */
export function mutesEverything(matchers: readonly LabelMatcher[]): boolean {
  return matchers.every((m) => matches(m, {}));
}
