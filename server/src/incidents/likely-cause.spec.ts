import { inhibitRuleSchema, NO_INHIBITION, toInhibitRule, type Inhibition } from '../rules/inhibit-rule';
import { burnsFarWorse, causeOrder, dependencyDepth, likelyCause, pageBurn, reasonText, type CauseCandidate, type CauseTarget } from './likely-cause';

const T0 = new Date('2026-12-01T03:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const inhibition: Inhibition = {
  ...NO_INHIBITION,
  dependsOn: new Map([['now-playing-ranker', ['candidate-retrieval', 'feature-store', 'model-serving']]]),
};
const candidate = (over: Partial<CauseCandidate> = {}): CauseCandidate => ({
  id: 1, title: 'feature-store availability SLO is burning its error budget', service: 'feature-store', urgency: 'page',
  triggeredAt: T0, labelSets: [{ service: 'feature-store', severity: 'critical' }], burn: 50, causedBy: null, ...over,
});
const target = (over: Partial<CauseTarget> = {}): CauseTarget => ({
  id: 2, service: 'now-playing-ranker', urgency: 'page', labels: { service: 'now-playing-ranker', severity: 'critical' }, at: minutes(3), burn: 40, ...over,
});

describe('likely cause: dependsOn', () => {
  it('links a dependent opening within the window of its dependency\'s open incident, and holds it', () => {
    const found = likelyCause(target(), [candidate()], inhibition);
    expect(found).toMatchObject({ cause: { id: 1 }, reason: { kind: 'depends-on' }, holds: true });
    expect(reasonText(target(), found!)).toBe('now-playing-ranker depends on feature-store');
  });

  it('does not link outside the window, before the dependency opened, or to a service it does not depend on', () => {
    expect(likelyCause(target({ at: minutes(16) }), [candidate()], inhibition)).toBeNull();
    expect(likelyCause(target({ at: minutes(15) }), [candidate()], inhibition)).not.toBeNull();
    expect(likelyCause(target({ at: minutes(-1) }), [candidate()], inhibition)).toBeNull();
    expect(likelyCause(target(), [candidate({ service: 'playlist-api' })], inhibition)).toBeNull();
    // The dependency does not depend on its dependent.
    expect(likelyCause(target({ service: 'feature-store' }), [candidate({ service: 'now-playing-ranker' })], inhibition)).toBeNull();
  });

  it('links, but does not hold, a dependent burning at least pageAtBurnRatio times its cause', () => {
    expect(likelyCause(target({ burn: 200 }), [candidate({ burn: 50 })], inhibition)?.holds).toBe(false);
    expect(likelyCause(target({ burn: 199 }), [candidate({ burn: 50 })], inhibition)?.holds).toBe(true);
    // Not an SLO incident on either side: the burn condition does not apply.
    expect(likelyCause(target({ burn: null }), [candidate({ burn: 50 })], inhibition)?.holds).toBe(true);
    expect(likelyCause(target({ burn: 500 }), [candidate({ burn: null })], inhibition)?.holds).toBe(true);
  });

  it('picks the cause opened first; never itself, one linked to it, or a ticket for a page', () => {
    const later = candidate({ id: 3, service: 'model-serving', triggeredAt: minutes(1) });
    expect(likelyCause(target(), [later, candidate()], inhibition)?.cause.id).toBe(1);
    expect(likelyCause(target({ id: 1 }), [candidate()], inhibition)).toBeNull();
    expect(likelyCause(target(), [candidate({ causedBy: 2 })], inhibition)).toBeNull();
    expect(likelyCause(target(), [candidate({ urgency: 'ticket' })], inhibition)).toBeNull();
    expect(likelyCause(target({ urgency: 'ticket' }), [candidate({ urgency: 'ticket' })], inhibition)?.cause.id).toBe(1);
  });
});

describe('likely cause: inhibit rules', () => {
  const rules: Inhibition = {
    ...NO_INHIBITION,
    rules: [toInhibitRule(inhibitRuleSchema.parse({ sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['service'] }), 'alerts/routes.yaml', 0)],
  };

  it('links a warning to a firing critical of the same service, whenever it opened', () => {
    const critical = candidate({ service: 'checkout', labelSets: [{ service: 'checkout', severity: 'critical', alertname: 'Down' }], triggeredAt: minutes(-600) });
    const found = likelyCause(target({ service: 'checkout', labels: { service: 'checkout', severity: 'warning' } }), [critical], rules);
    expect(found).toMatchObject({ cause: { id: 1 }, reason: { kind: 'inhibit-rule' }, holds: true });
    expect(reasonText(target(), found!)).toBe('inhibit rule 1 of alerts/routes.yaml');
  });

  it('matches each firing alert of a candidate, and needs the equal labels to agree', () => {
    const mixed = candidate({ service: 'checkout', labelSets: [{ service: 'checkout', severity: 'warning' }, { service: 'checkout', severity: 'critical' }] });
    expect(likelyCause(target({ labels: { service: 'checkout', severity: 'warning' } }), [mixed], rules)?.cause.id).toBe(1);
    expect(likelyCause(target({ labels: { service: 'payments', severity: 'warning' } }), [mixed], rules)).toBeNull();
    expect(likelyCause(target({ labels: { service: 'checkout', severity: 'critical' } }), [mixed], rules)).toBeNull();
  });
});

describe('page-window burn rate', () => {
  const pair = (severity: string, longBurn: number | null, shortBurn: number | null) => ({ severity, long: '1h', short: '5m', threshold: 14.4, longBurn, shortBurn, firing: true });

  it('is what both windows of a page pair agree on, the highest of the page pairs', () => {
    expect(pageBurn({ windowPairs: [pair('page', 30, 80), pair('page', 20, 10), pair('ticket', 500, 500)] })).toBe(30);
    expect(pageBurn({ windowPairs: [pair('ticket', 5, 5)] })).toBeNull();
    expect(pageBurn({ windowPairs: [pair('page', null, 5)] })).toBeNull();
    expect(pageBurn({ summary: 'an alert' })).toBeNull();
    expect(pageBurn(null)).toBeNull();
  });

  it('is far worse from the ratio on, and only when both burns are known', () => {
    expect(burnsFarWorse(40, 10, 4)).toBe(true);
    expect(burnsFarWorse(39.9, 10, 4)).toBe(false);
    expect(burnsFarWorse(40, null, 4)).toBe(false);
    expect(burnsFarWorse(40, 0, 4)).toBe(false);
  });
});

describe('the order of a pass\'s signals', () => {
  it('handles what resolves dependents first, then what fires dependencies first, stable otherwise', () => {
    const s = (service: string, status: 'firing' | 'resolved') => ({ service, status });
    const signals = [s('now-playing-ranker', 'firing'), s('feature-store', 'resolved'), s('playlist-api', 'firing'), s('feature-store', 'firing'), s('now-playing-ranker', 'resolved')];
    expect(causeOrder(signals, inhibition)).toEqual([
      s('now-playing-ranker', 'resolved'), s('feature-store', 'resolved'),
      s('playlist-api', 'firing'), s('feature-store', 'firing'), s('now-playing-ranker', 'firing'),
    ]);
    expect(causeOrder(signals, NO_INHIBITION)).toEqual(signals);
  });

  it('measures depth through chains and survives a cycle', () => {
    const chain: Inhibition = { ...NO_INHIBITION, dependsOn: new Map([['a', ['b']], ['b', ['c']], ['x', ['y']], ['y', ['x']]]) };
    expect([dependencyDepth(chain, 'a'), dependencyDepth(chain, 'b'), dependencyDepth(chain, 'c')]).toEqual([2, 1, 0]);
    expect(dependencyDepth(chain, 'x')).toBeGreaterThanOrEqual(1);
  });
});
