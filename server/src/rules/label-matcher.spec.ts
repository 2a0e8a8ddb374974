import { formatMatcher, matches, matchesAll, matcherProblem, mutesEverything, parseMatcher } from './label-matcher';

describe('label matchers (Alertmanager semantics)', () => {
  it('parses the four operators, quoted or not', () => {
    expect(parseMatcher('service="now-playing-ranker"')).toEqual({ name: 'service', value: 'now-playing-ranker', isRegex: false, isEqual: true });
    expect(parseMatcher('env != dev')).toEqual({ name: 'env', value: 'dev', isRegex: false, isEqual: false });
    expect(parseMatcher('severity=~"critical|error"')).toEqual({ name: 'severity', value: 'critical|error', isRegex: true, isEqual: true });
    expect(parseMatcher('instance!~"canary-.*"')).toEqual({ name: 'instance', value: 'canary-.*', isRegex: true, isEqual: false });
    expect(parseMatcher('summary="a \\"quoted\\" value"').value).toBe('a "quoted" value');
  });

  it('refuses what is not a matcher, with the reason', () => {
    expect(() => parseMatcher('service')).toThrow(/is not a matcher/);
    expect(() => parseMatcher('1abc="x"')).toThrow(/is not a matcher/);
    expect(() => parseMatcher('a=~"("')).toThrow(/invalid regular expression/);
    expect(() => parseMatcher('a="x')).toThrow(/closing quote/);
    expect(matcherProblem({ name: 'bad-name', value: 'x', isRegex: false, isEqual: true })).toMatch(/label name/);
  });

  it('anchors regexes at both ends and treats a missing label as empty', () => {
    const re = parseMatcher('alertname=~"High.*"');
    expect(matches(re, { alertname: 'HighErrorRate' })).toBe(true);
    expect(matches(re, { alertname: 'VeryHighErrorRate' })).toBe(false);
    expect(matches(parseMatcher('team!="ranking"'), {})).toBe(true);
    expect(matches(parseMatcher('team=""'), {})).toBe(true);
    expect(matches(parseMatcher('team!~".+"'), { team: 'x' })).toBe(false);
  });

  it('needs every matcher to match', () => {
    const ms = [parseMatcher('service="ranker"'), parseMatcher('severity=~"critical|error"')];
    expect(matchesAll(ms, { service: 'ranker', severity: 'error' })).toBe(true);
    expect(matchesAll(ms, { service: 'ranker', severity: 'warning' })).toBe(false);
    expect(matchesAll([], { anything: 'x' })).toBe(true);
  });

  it('knows a silence that would mute everything', () => {
    expect(mutesEverything([parseMatcher('team=~".*"')])).toBe(true);
    expect(mutesEverything([parseMatcher('team!="x"')])).toBe(true);
    expect(mutesEverything([parseMatcher('team=~".*"'), parseMatcher('service="ranker"')])).toBe(false);
  });

  it('formats back to the text form', () => {
    for (const text of ['service="ranker"', 'env!="dev"', 'severity=~"critical|error"', 'instance!~"canary-.*"']) {
      expect(formatMatcher(parseMatcher(text))).toBe(text);
    }
  });

  it('matches in linear time: a catastrophic expression on a long label returns at once (64 s on a backtracking engine)', () => {
    const evil = { name: 'service', value: '(.*.*)*X', isRegex: true, isEqual: true };
    expect(matcherProblem(evil)).toBeNull();
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) expect(matches(evil, { service: `now-playing-ranker-${'a'.repeat(i)}` })).toBe(false);
    // A bound three orders of magnitude above what it takes, not a benchmark: the old engine needed seconds for one.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });

  it('speaks RE2, as Alertmanager and Prometheus do: flags work, backreferences and lookarounds are refused with the reason', () => {
    expect(matches(parseMatcher('service=~"(?i)RANKER"'), { service: 'ranker' })).toBe(true);
    expect(matcherProblem({ name: 'x', value: '(a)\\1', isRegex: true, isEqual: true })).toMatch(/^invalid regular expression \(RE2 syntax\): /);
    expect(matcherProblem({ name: 'x', value: '(?=a)', isRegex: true, isEqual: true })).toMatch(/^invalid regular expression/);
    expect(matcherProblem({ name: 'x', value: 'a'.repeat(1025), isRegex: true, isEqual: true })).toBe('regular expression is longer than 1024 characters');
  });
});
