import { inhibitingSource, inhibitRuleSchema, isInhibited, toInhibitRule, type InhibitRule, type InhibitSource } from './inhibit-rule';

/**
 * The vectors of Alertmanager's inhibit/inhibit_test.go (TestInhibitRuleHasEqual,
 * TestInhibitRuleMatches, TestInhibitRuleMatchers, TestInhibit), as our own cases: the same
 * label sets and rules, asked of the pure matching. A resolved alert is simply not among the
 * sources here: the incidents stage passes the firing ones only.
 */
const rule = (source: string[], target: string[], equal: string[] = []): InhibitRule =>
  toInhibitRule(inhibitRuleSchema.parse({ sourceMatchers: source, targetMatchers: target, equal }), 'test', 0);
const sources = (...labels: Array<Record<string, string>>): Array<InhibitSource<number>> => labels.map((l, i) => ({ labels: l, of: i + 1 }));

describe('inhibit rules: equal labels (TestInhibitRuleHasEqual)', () => {
  // hasEqual is asked with the target already matched: the target matcher a="b" stands in for that,
  // and the source matchers are ones the target does not match (no two-sided exclusion).
  const anyTarget = 'a="b"';

  it('no firing source: not inhibited', () => {
    expect(inhibitingSource(rule(['a=~".*"'], [anyTarget]), { a: 'b' }, [])).toBeNull();
  });

  it('no equal labels: any firing source inhibits', () => {
    expect(inhibitingSource(rule(['src="1"'], [anyTarget]), { a: 'b' }, sources({ src: '1' }))?.of).toBe(1);
  });

  it('the matching sources resolved (not among the firing): not inhibited', () => {
    expect(inhibitingSource(rule(['b=~"c|f"'], [anyTarget], ['a', 'b']), { a: 'b', b: 'c' }, [])).toBeNull();
  });

  it('one of two sources agrees on the equal label: inhibited by it', () => {
    // The other source ({a: b, c: d}) has resolved, so it is not passed.
    const found = inhibitingSource(rule(['c=~"d|f"'], [anyTarget], ['a']), { a: 'b' }, sources({ a: 'b', c: 'f' }));
    expect(found?.labels).toEqual({ a: 'b', c: 'f' });
  });

  it('the equal label differs: not inhibited', () => {
    expect(inhibitingSource(rule(['c=~"d|f"'], [anyTarget], ['a']), { a: 'b' }, sources({ a: 'c', c: 'd' }, { a: 'c', c: 'f' }))).toBeNull();
  });

  it('a label missing on both sides counts as equal; missing on one side does not', () => {
    const r = rule(['severity="critical"'], ['severity="warning"'], ['service', 'cluster']);
    expect(isInhibited([r], { severity: 'warning', service: 'ranker' }, sources({ severity: 'critical', service: 'ranker' }))).toBe(true);
    expect(isInhibited([r], { severity: 'warning', service: 'ranker', cluster: 'eu' }, sources({ severity: 'critical', service: 'ranker' }))).toBe(false);
  });
});

describe('inhibit rules: two rules and the two-sided match (TestInhibitRuleMatches)', () => {
  const rules = [rule(['s1="1"'], ['t1="1"'], ['e']), rule(['s2="1"'], ['t2="1"'], ['e'])];
  // The first source matches rule 1's source side only; the second both sides of rule 2.
  const firing = sources({ s1: '1', t1: '2', e: '1' }, { s2: '1', t2: '1', e: '1' });
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['matches rule 1 target', { t1: '1', e: '1' }, true],
    ['matches rule 2 target', { t2: '1', e: '1' }, true],
    ['matches rule 1 target, with noise', { t1: '1', t3: '1', e: '1' }, true],
    ['matches both targets', { t1: '1', t2: '1', e: '1' }, true],
    ['matches no target', { t1: '0', e: '1' }, false],
    ['matches both sides of rule 1, its source only one side: inhibited', { s1: '1', t1: '1', e: '1' }, true],
    ['matches both sides of rule 2, its source both sides too: not inhibited (never by itself)', { s2: '1', t2: '1', e: '1' }, false],
    ['matches rule 1 target, equal label differs', { t1: '1', e: '0' }, false],
  ];
  it.each(cases)('%s', (_name, target, expected) => {
    expect(isInhibited(rules, target, firing)).toBe(expected);
  });
});

describe('inhibit rules: negative matchers (TestInhibitRuleMatchers)', () => {
  const rules = [rule(['s1="1"'], ['t1!="1"'], ['e']), rule(['s2="1"'], ['t2="1"'], ['e'])];
  const firing = sources({ s1: '1', t1: '2', e: '1' }, { s2: '1', t2: '1', e: '1' });
  const cases: Array<[Record<string, string>, boolean]> = [
    [{ t1: '1', e: '1' }, false],
    [{ t2: '1', e: '1' }, true],
    [{ t1: '1', t3: '1', e: '1' }, false],
    [{ t1: '1', t2: '1', e: '1' }, true],
    [{ t1: '0', e: '1' }, true],
    // Both sides of rule 1 (t1="1" fails t1!="1", so not a target of rule 1 at all).
    [{ s1: '1', t1: '1', e: '1' }, false],
    // Both sides of rule 2, whose source is both sides too; but rule 1 (t1 absent, so t1!="1") takes it.
    [{ s2: '1', t2: '1', e: '1' }, true],
    [{ t1: '1', e: '0' }, false],
  ];
  it.each(cases)('%j → %s', (target, expected) => {
    expect(isInhibited(rules, target, firing)).toBe(expected);
  });
});

describe('inhibit rules: a source firing, then resolved (TestInhibit)', () => {
  const r = rule(['s="1"'], ['t="1"'], ['e']);
  const target = { t: '1', e: 'f' };
  const source = { s: '1', e: 'f' };

  it('nothing inhibits while the source has not fired', () => {
    expect(isInhibited([r], target, [])).toBe(false);
  });

  it('the firing source inhibits the target, and is not inhibited itself', () => {
    expect(isInhibited([r], target, sources(source))).toBe(true);
    expect(isInhibited([r], source, sources(source))).toBe(false);
  });

  it('once the source resolved (no longer firing), the target is not inhibited', () => {
    expect(isInhibited([r], target, [])).toBe(false);
  });
});

describe('inhibit rule schema', () => {
  it('refuses empty matcher lists, bad matchers and bad label names, naming the field', () => {
    const problems = (v: unknown) => inhibitRuleSchema.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({ sourceMatchers: [], targetMatchers: ['a="b"'] })).toEqual(['sourceMatchers: needs at least one matcher (an empty list would let any incident inhibit)']);
    expect(problems({ sourceMatchers: ['a'], targetMatchers: ['a="b"'], equal: ['bad-name'] })).toEqual([
      expect.stringMatching(/^sourceMatchers\.0: "a" is not a matcher/),
      'equal.0: must be a label name',
    ]);
    expect(problems({ sourceMatchers: ['a="b"'], targetMatchers: ['a="c"'], colour: 'red' })?.[0]).toMatch(/colour/);
  });
});
