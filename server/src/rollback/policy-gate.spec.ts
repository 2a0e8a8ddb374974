import type { Signal } from '../common/signals';
import type { RollbackPolicy } from '../rules/rollback-definition';
import { decide, matchesTrigger, requireChange } from './policy-gate';

const policy = (over: Partial<RollbackPolicy> = {}): RollbackPolicy => ({
  name: 'p', hook: 'h', trigger: { kind: 'guardrail', experiment: 'exp' }, mode: 'auto',
  consecutiveEvaluations: 3, cooldownSeconds: 1800, maxPerHour: 2, requireChange: null, file: 'a.yaml', ...over,
});
const now = new Date('2026-11-25T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const none = { recent: [], lastAt: null };

const guardrail = (state: string, labels: Record<string, string> = { experiment: 'exp', variant: 'v2', metric: 'skip_rate' }): Signal => ({
  fingerprint: 'guardrail:exp:v2:skip_rate', status: 'firing', source: 'guardrail', service: 'ranker', title: 't', severity: 'critical',
  labels, evidence: { state }, at: now,
});
const slo = (pairs: Array<{ severity: string; firing: boolean }>, sloId = 'ranker.availability'): Signal => ({
  fingerprint: `slo:${sloId}:page`, status: 'firing', source: 'slo', service: 'ranker', title: 't', severity: 'critical', sloId,
  evidence: { windowPairs: pairs }, at: now,
});

describe('matchesTrigger', () => {
  it('matches a guardrail breach of the experiment, narrowed by variant and metric', () => {
    expect(matchesTrigger(policy(), guardrail('breach'))).toBe(true);
    expect(matchesTrigger(policy({ trigger: { kind: 'guardrail', experiment: 'exp', metric: 'skip_rate' } }), guardrail('breach'))).toBe(true);
    expect(matchesTrigger(policy({ trigger: { kind: 'guardrail', experiment: 'exp', metric: 'minutes' } }), guardrail('breach'))).toBe(false);
    expect(matchesTrigger(policy({ trigger: { kind: 'guardrail', experiment: 'exp', variant: 'v3' } }), guardrail('breach'))).toBe(false);
    expect(matchesTrigger(policy({ trigger: { kind: 'guardrail', experiment: 'other' } }), guardrail('breach'))).toBe(false);
  });

  it('never matches no data, too few units, or a resolved signal', () => {
    expect(matchesTrigger(policy(), guardrail('no-data'))).toBe(false);
    expect(matchesTrigger(policy(), guardrail('insufficient-units'))).toBe(false);
    expect(matchesTrigger(policy(), guardrail('ok'))).toBe(false);
    expect(matchesTrigger(policy(), { ...guardrail('breach'), status: 'resolved' })).toBe(false);
  });

  it('matches an SLO of the service at page level, optionally one SLO by name', () => {
    const p = policy({ trigger: { kind: 'slo', service: 'ranker' } });
    expect(matchesTrigger(p, slo([{ severity: 'page', firing: true }]))).toBe(true);
    expect(matchesTrigger(policy({ trigger: { kind: 'slo', service: 'ranker', slo: 'latency' } }), slo([{ severity: 'page', firing: true }]))).toBe(false);
    expect(matchesTrigger(policy({ trigger: { kind: 'slo', service: 'other' } }), slo([{ severity: 'page', firing: true }]))).toBe(false);
    // Only a ticket pair firing (or nothing firing, as with no data) is not a page.
    expect(matchesTrigger(p, slo([{ severity: 'page', firing: false }, { severity: 'ticket', firing: true }]))).toBe(false);
    expect(matchesTrigger(p, guardrail('breach'))).toBe(false);
    // A ticket signal never rolls back, whatever its evidence shows.
    expect(matchesTrigger(p, { ...slo([{ severity: 'page', firing: true }]), fingerprint: 'slo:ranker.availability:ticket', urgency: 'ticket' })).toBe(false);
  });

  it('never matches the blind-monitoring signal of an SLO, even one that pages (no window pairs: no breach)', () => {
    const blind: Signal = {
      fingerprint: 'slo:ranker.availability:no-data', status: 'firing', source: 'slo', service: 'ranker', title: 'monitoring of ranker.availability is blind: down',
      severity: 'critical', urgency: 'page', sloId: 'ranker.availability', evidence: { reason: 'down', noDataSince: now.toISOString() }, at: now,
    };
    expect(matchesTrigger(policy({ trigger: { kind: 'slo', service: 'ranker' } }), blind)).toBe(false);
  });
});

describe('decide', () => {
  it('waits until the breach held for the consecutive evaluations', () => {
    expect(decide(policy(), 1, none, now)).toEqual({ kind: 'wait', reason: 'breach seen in 1 of 3 consecutive evaluations' });
    expect(decide(policy(), 2, none, now).kind).toBe('wait');
    expect(decide(policy(), 3, none, now)).toMatchObject({ kind: 'create', status: 'queued' });
  });

  it('maps the mode to the first status', () => {
    expect(decide(policy({ mode: 'approval' }), 3, none, now)).toMatchObject({ kind: 'create', status: 'pending_approval' });
    expect(decide(policy({ mode: 'dry-run' }), 3, none, now)).toMatchObject({ kind: 'create', status: 'dry_run' });
  });

  it('skips within the cooldown after the last execution, fires after it', () => {
    const d = decide(policy(), 3, { recent: [ago(20)], lastAt: ago(20) }, now);
    expect(d.kind).toBe('skip');
    expect(d.reason).toMatch(/^cooldown: .*cooldown ends at 2026-11-25T12:10:00.000Z$/);
    expect(decide(policy(), 3, { recent: [ago(31)], lastAt: ago(31) }, now).kind).toBe('create');
    // A cooldown longer than an hour still counts from the last execution.
    expect(decide(policy({ cooldownSeconds: 4 * 3600 }), 3, { recent: [], lastAt: ago(180) }, now).kind).toBe('skip');
  });

  it('skips over the hourly cap; executions older than an hour do not count', () => {
    const p = policy({ cooldownSeconds: 0, maxPerHour: 2 });
    expect(decide(p, 3, { recent: [ago(5), ago(50)], lastAt: ago(5) }, now)).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/^hourly cap: .* 2 times in the last hour \(maxPerHour 2\)$/) });
    expect(decide(p, 3, { recent: [ago(5), ago(61)], lastAt: ago(5) }, now).kind).toBe('create');
  });
});

describe('requireChange', () => {
  const create = { kind: 'create', status: 'queued', reason: 'breach held; mode auto' } as const;
  const deploy = { id: 4, kind: 'deploy', service: 'now-playing-ranker', summary: 'ranker v42', version: 'v42', previousVersion: 'v41', link: null };
  it('lets a policy without it fire as before, and one with it only when a change of that kind is the suspect', () => {
    expect(requireChange(policy(), null, create)).toEqual(create);
    expect(requireChange(policy({ requireChange: 'deploy' }), deploy, create)).toEqual(create);
    expect(requireChange(policy({ requireChange: 'any' }), { ...deploy, kind: 'config' }, create)).toEqual(create);
  });

  it('records a skip with the reason when there is nothing to roll back', () => {
    expect(requireChange(policy({ requireChange: 'deploy' }), null, create)).toEqual({
      kind: 'skip', reason: 'no change to roll back: policy p requires a deploy and no change of the service or its dependencies precedes it',
    });
    expect(requireChange(policy({ requireChange: 'deploy' }), { ...deploy, kind: 'config', summary: 'ttl 5m' }, create).reason).toBe(
      'no change to roll back: policy p requires a deploy and the latest change before it is a config (ttl 5m)',
    );
    // A decision that was not to fire stays what it was.
    const wait = { kind: 'wait', reason: 'breach seen in 1 of 3' } as const;
    expect(requireChange(policy({ requireChange: 'deploy' }), null, wait)).toEqual(wait);
  });
});
