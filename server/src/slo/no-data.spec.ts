import { blindEvidence, blindTitle, noDataDecision, noDataReason, noDataSeconds } from './no-data';

const now = new Date('2026-12-07T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const ticket10m = { afterSeconds: 600, severity: 'ticket' as const };

describe('noDataSeconds', () => {
  it('counts from the stored since while the SLO stays no-data', () => {
    expect(noDataSeconds('no-data', { state: 'no-data', since: ago(7) }, now)).toBe(420);
  });

  it('starts at zero when the SLO enters no-data, or was never evaluated', () => {
    expect(noDataSeconds('no-data', { state: 'ok', since: ago(60) }, now)).toBe(0);
    expect(noDataSeconds('no-data', { state: 'page', since: ago(60) }, now)).toBe(0);
    expect(noDataSeconds('no-data', undefined, now)).toBe(0);
  });

  it('is null while the SLO has data, and never negative when clocks disagree', () => {
    expect(noDataSeconds('ok', { state: 'no-data', since: ago(30) }, now)).toBeNull();
    expect(noDataSeconds('no-data', { state: 'no-data', since: new Date(now.getTime() + 5_000) }, now)).toBe(0);
  });
});

describe('noDataDecision', () => {
  const decide = (over: Partial<Parameters<typeof noDataDecision>[0]>) =>
    noDataDecision({ state: 'no-data', previous: { state: 'no-data', since: ago(10) }, now, rule: ticket10m, firstPassOfRule: false, ...over });

  it('fires once the SLO has been no-data for `after`, and on every pass after', () => {
    expect(decide({ previous: { state: 'no-data', since: ago(9) } })).toBeNull();
    expect(decide({ previous: { state: 'no-data', since: new Date(now.getTime() - 599_000) } })).toBeNull();
    expect(decide({})).toBe('firing');
    expect(decide({ previous: { state: 'no-data', since: ago(600) } })).toBe('firing');
  });

  it('does not fire on the first no-data pass of a never-evaluated SLO, even with a zero threshold', () => {
    expect(decide({ previous: undefined, rule: { afterSeconds: 600, severity: 'page' } })).toBeNull();
    expect(decide({ previous: undefined, rule: { afterSeconds: 0, severity: 'ticket' } })).toBe('firing');
  });

  it('resolves on the pass the SLO has data again, whatever its state', () => {
    for (const state of ['ok', 'ticket', 'page'] as const) expect(decide({ state })).toBe('resolved');
    expect(decide({ state: 'ok', previous: { state: 'ok', since: ago(60) } })).toBeNull();
    expect(decide({ state: 'ok', previous: undefined })).toBeNull();
  });

  it('never fires when the rule is off; the first pass over a changed rule resolves what the old one opened', () => {
    expect(decide({ rule: null })).toBeNull();
    expect(decide({ rule: null, firstPassOfRule: true })).toBe('resolved');
    expect(decide({ rule: { afterSeconds: 3600, severity: 'ticket' }, firstPassOfRule: true })).toBe('resolved');
    expect(decide({ rule: { afterSeconds: 3600, severity: 'ticket' }, firstPassOfRule: false })).toBeNull();
    // An SLO that only just entered no-data had nothing open: nothing to resolve.
    expect(decide({ rule: null, firstPassOfRule: true, previous: { state: 'ok', since: ago(60) } })).toBeNull();
  });
});

describe('blind-monitoring wording', () => {
  it('names the reason, the source error when there is one', () => {
    expect(noDataReason('prometheus default: connect ECONNREFUSED 127.0.0.1:9090')).toBe('prometheus default: connect ECONNREFUSED 127.0.0.1:9090');
    expect(noDataReason(undefined)).toMatch(/^no events in any window/);
    expect(blindTitle('ranker.availability', 'no reader for source simulator')).toBe('monitoring of ranker.availability is blind: no reader for source simulator');
  });

  it('keeps the title one short line', () => {
    const title = blindTitle('ranker.availability', `HTTP 500:\n${'x'.repeat(500)}`);
    expect(title).not.toContain('\n');
    expect(title.length).toBeLessThan(220);
    expect(title.endsWith('…')).toBe(true);
  });

  it('puts the reason and since when in the evidence', () => {
    expect(blindEvidence({ reason: 'down', since: ago(10.05), now, rule: ticket10m, source: 'prometheus' })).toEqual({
      reason: 'down', noDataSince: ago(10.05).toISOString(), noDataFor: '10m', after: '10m', source: 'prometheus', evaluatedAt: now.toISOString(),
    });
  });
});
