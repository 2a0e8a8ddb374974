import { decide, escalateNow, initialState, type EscalationState, type IncidentView } from './escalation';
import { escalationPolicySchema, toPolicySnapshot, type EscalationPolicySnapshot } from './escalation-policy';

const T0 = new Date('2026-12-01T03:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const policy: EscalationPolicySnapshot = toPolicySnapshot(
  escalationPolicySchema.parse({
    name: 'ranker',
    steps: [
      { notify: { schedule: 'ranker-primary' }, wait: '10m' },
      { notify: { channel: '#ranker-oncall' }, wait: '5m' },
    ],
    repeat: 1,
    reminderAfter: '30m',
  }),
);

const triggered: IncidentView = { status: 'triggered', acknowledgedAt: null };

/** Runs decide at each minute in `minutes` and returns the actions taken, tagged by minute. */
function run(minutes: number[], incidentAt: (m: number) => IncidentView = () => triggered, start: EscalationState = initialState(T0)) {
  let state = start;
  const log: Array<[number, string]> = [];
  for (const m of minutes) {
    const d = decide(state, policy, incidentAt(m), at(m));
    state = d.state;
    for (const a of d.actions) log.push([m, a.kind === 'step' ? `step ${a.step + 1}/round ${a.round + 1}` : a.kind === 'stopped' ? `stopped: ${a.reason}` : a.kind]);
  }
  return { state, log };
}

const everyMinute = (n: number) => Array.from({ length: n + 1 }, (_, i) => i);

describe('escalation decisions on a fake clock', () => {
  it('takes step 1 at once, step 2 after the wait, repeats the policy, then is exhausted', () => {
    const { log, state } = run(everyMinute(40));
    expect(log).toEqual([
      [0, 'step 1/round 1'],
      [10, 'step 2/round 1'],
      [15, 'step 1/round 2'],
      [25, 'step 2/round 2'],
      [30, 'exhausted'],
    ]);
    expect(state.nextAt).toBeNull();
  });

  it('is not early: nothing happens one second before a wait ends', () => {
    const first = decide(initialState(T0), policy, triggered, T0);
    expect(first.wakeAt).toEqual(at(10));
    const early = decide(first.state, policy, triggered, new Date(at(10).getTime() - 1000));
    expect(early.actions).toEqual([]);
    expect(decide(first.state, policy, triggered, at(10)).actions).toMatchObject([{ kind: 'step', step: 1 }]);
  });

  it('takes one step per decision even when the engine was down for longer than several waits', () => {
    const first = decide(initialState(T0), policy, triggered, T0);
    const late = decide(first.state, policy, triggered, at(60));
    expect(late.actions).toMatchObject([{ kind: 'step', step: 1, round: 0 }]);
    expect(late.wakeAt).toEqual(at(65));
  });

  it('stops at once on acknowledge and reminds after reminderAfter, then every period', () => {
    const ackAt = 3;
    const view = (m: number): IncidentView => (m < ackAt ? triggered : { status: 'acknowledged', acknowledgedAt: at(ackAt) });
    const { log } = run(everyMinute(100), view);
    expect(log).toEqual([
      [0, 'step 1/round 1'],
      [3, 'stopped: acknowledged'],
      [33, 'reminder'],
      [63, 'reminder'],
      [93, 'reminder'],
    ]);
  });

  it('stops on resolve and never wakes again', () => {
    const first = decide(initialState(T0), policy, triggered, T0);
    const resolved = decide(first.state, policy, { status: 'resolved', acknowledgedAt: null }, at(1));
    expect(resolved.actions).toEqual([{ kind: 'stopped', reason: 'resolved' }]);
    expect(resolved.wakeAt).toBeNull();
    expect(decide(resolved.state, policy, { status: 'resolved', acknowledgedAt: null }, at(50)).actions).toEqual([]);
    // Acknowledged first: the acknowledgement stopped it; resolving adds nothing.
    const acked = decide(first.state, policy, { status: 'acknowledged', acknowledgedAt: at(1) }, at(1));
    expect(acked.actions).toEqual([{ kind: 'stopped', reason: 'acknowledged' }]);
    expect(decide(acked.state, policy, { status: 'resolved', acknowledgedAt: at(1) }, at(2))).toMatchObject({ actions: [], wakeAt: null });
  });

  it('a reopened incident starts the policy again from its first step, whether it was resolved from triggered or acknowledged', () => {
    const resolvedAt = 12;
    const reopenedAt = 20;
    const view = (m: number): IncidentView => (m >= resolvedAt && m < reopenedAt ? { status: 'resolved', acknowledgedAt: null } : triggered);
    expect(run(everyMinute(35), view).log).toEqual([
      [0, 'step 1/round 1'],
      [10, 'step 2/round 1'],
      [12, 'stopped: resolved'],
      [20, 'resumed'],
      [20, 'step 1/round 1'],
      [30, 'step 2/round 1'],
      [35, 'step 1/round 2'],
    ]);
    const acked = (m: number): IncidentView =>
      m < 2 ? triggered : m < 5 ? { status: 'acknowledged', acknowledgedAt: at(2) } : m < 9 ? { status: 'resolved', acknowledgedAt: at(2) } : triggered;
    expect(run(everyMinute(9), acked).log).toEqual([
      [0, 'step 1/round 1'],
      [2, 'stopped: acknowledged'],
      [9, 'resumed'],
      [9, 'step 1/round 1'],
    ]);
    expect(run(everyMinute(9), acked).state.run).toBe(1);
  });

  it('escalate jumps to the pending step now, and the next wait counts from then', () => {
    const first = decide(initialState(T0), policy, triggered, T0);
    const jumped = escalateNow(first.state, policy, triggered, at(2))!;
    expect(jumped.actions).toEqual([{ kind: 'step', step: 1, round: 0, run: 0, notify: { channel: '#ranker-oncall' } }]);
    expect(jumped.wakeAt).toEqual(at(7));
    expect(decide(jumped.state, policy, triggered, at(6)).actions).toEqual([]);
    expect(decide(jumped.state, policy, triggered, at(7)).actions).toMatchObject([{ kind: 'step', step: 0, round: 1 }]);
  });

  it('escalate is refused when acknowledged, resolved or exhausted', () => {
    const first = decide(initialState(T0), policy, triggered, T0);
    expect(escalateNow(first.state, policy, { status: 'acknowledged', acknowledgedAt: at(1) }, at(2))).toBeNull();
    expect(escalateNow(first.state, policy, { status: 'resolved', acknowledgedAt: null }, at(2))).toBeNull();
    const { state } = run(everyMinute(40));
    expect(escalateNow(state, policy, triggered, at(41))).toBeNull();
  });

  it('a snooze pauses it; when the snooze ends the pending step is taken at once', () => {
    const view = (m: number): IncidentView => (m >= 2 && m < 20 ? { status: 'snoozed', acknowledgedAt: null } : triggered);
    const { log } = run(everyMinute(21), view);
    expect(log).toEqual([
      [0, 'step 1/round 1'],
      [20, 'resumed'],
      [20, 'step 2/round 1'],
    ]);
  });

  it('decides from the snapshot it was given: a policy edited afterwards does not change it', () => {
    const snapshot = JSON.parse(JSON.stringify(policy)) as EscalationPolicySnapshot;
    const first = decide(initialState(T0), snapshot, triggered, T0);
    // The YAML is edited: a 1-minute wait and a different first target. The running escalation keeps its copy.
    const edited = { ...policy, steps: [{ notify: { users: ['bob@example.com'] }, waitSeconds: 60 }, ...policy.steps] };
    expect(edited.steps).toHaveLength(3);
    expect(decide(first.state, snapshot, triggered, at(1)).actions).toEqual([]);
    expect(decide(first.state, snapshot, triggered, at(10)).actions).toEqual([{ kind: 'step', step: 1, round: 0, run: 0, notify: { channel: '#ranker-oncall' } }]);
  });

  it('the policy schema reads durations and rejects a step with nobody to notify', () => {
    expect(policy).toMatchObject({ repeat: 1, reminderAfterSeconds: 1800, steps: [{ waitSeconds: 600 }, { waitSeconds: 300 }] });
    const bad = escalationPolicySchema.safeParse({ name: 'x', steps: [{ notify: {}, wait: '5 minutes' }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['steps.0.notify', 'steps.0.wait']);
  });
});
