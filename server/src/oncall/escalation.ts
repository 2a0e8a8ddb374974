import type { EscalationPolicySnapshot, NotifyTargets } from './escalation-policy';

/**
 * What an escalation does next, as a pure function of its state, its policy snapshot, the
 * incident's status and the time. The engine (escalation-engine.ts) stores the state, calls
 * `decide` when the escalation is due or its incident changed status, and carries out the
 * actions (outbox messages and timeline lines) in the same transaction.
 *
 * - triggered: the step `step` of round `round` is taken when `nextAt` has come; then the next
 *   step is due `waitSeconds` later (measured from when the step was taken, so an engine that
 *   was down does not fire every missed step at once). After the last step of the last round,
 *   once its wait has passed, the escalation is exhausted.
 * - acknowledged: no further step. With `reminderAfterSeconds`, a reminder is due that long
 *   after the acknowledgement, and again every such period while it stays acknowledged.
 * - snoozed: nothing until the snooze ends (the incident is triggered again).
 * - resolved: over.
 * - back to triggered (a snooze ended, a reopen): the pending step is taken at once; an
 *   exhausted or resolved escalation starts again from the first step.
 */

export type WatchedStatus = 'triggered' | 'acknowledged' | 'snoozed' | 'resolved';

export interface EscalationState {
  /** Index of the next step to take. */
  step: number;
  /** 0-based round of the next step; round > policy.repeat means every step was taken. */
  round: number;
  /** When the next step (or the exhaustion) is due; null when nothing is left. */
  nextAt: Date | null;
  /** The incident status the last decision saw. */
  lastStatus: WatchedStatus;
  /** Reminders sent since the last acknowledgement. */
  reminders: number;
  /** How many times the policy started over after finishing or a resolve (0 the first time); part of every send's key. */
  run: number;
}

export interface IncidentView {
  status: WatchedStatus;
  acknowledgedAt: Date | null;
}

export type EscalationAction =
  | { kind: 'step'; step: number; round: number; run: number; notify: NotifyTargets }
  | { kind: 'stopped'; reason: 'acknowledged' | 'resolved' }
  | { kind: 'resumed' }
  | { kind: 'exhausted'; rounds: number }
  | { kind: 'reminder'; n: number };

export interface Decision {
  state: EscalationState;
  actions: EscalationAction[];
  /** When to look again (besides a status change); null: only a status change matters. */
  wakeAt: Date | null;
}

export function initialState(openedAt: Date): EscalationState {
  return { step: 0, round: 0, nextAt: openedAt, lastStatus: 'triggered', reminders: 0, run: 0 };
}

export function decide(state: EscalationState, policy: EscalationPolicySnapshot, incident: IncidentView, now: Date): Decision {
  const s: EscalationState = { ...state };
  const actions: EscalationAction[] = [];
  const changed = incident.status !== state.lastStatus;
  s.lastStatus = incident.status;

  if (incident.status === 'resolved') {
    // An acknowledgement already stopped it (and said so).
    if (changed && state.nextAt !== null && state.lastStatus !== 'acknowledged') actions.push({ kind: 'stopped', reason: 'resolved' });
    // Over: a reopen starts the policy again from its first step.
    s.nextAt = null;
    return { state: s, actions, wakeAt: null };
  }
  if (incident.status === 'snoozed') return { state: s, actions, wakeAt: null };
  if (incident.status === 'acknowledged') {
    if (changed) {
      s.reminders = 0;
      if (state.nextAt !== null && state.lastStatus === 'triggered') actions.push({ kind: 'stopped', reason: 'acknowledged' });
    }
    if (policy.reminderAfterSeconds === null || incident.acknowledgedAt === null) return { state: s, actions, wakeAt: null };
    const period = policy.reminderAfterSeconds * 1000;
    const dueAt = (n: number) => new Date(incident.acknowledgedAt!.getTime() + period * n);
    if (now.getTime() >= dueAt(s.reminders + 1).getTime()) {
      s.reminders += 1;
      actions.push({ kind: 'reminder', n: s.reminders });
    }
    return { state: s, actions, wakeAt: dueAt(s.reminders + 1) };
  }

  // triggered
  if (changed) {
    s.reminders = 0;
    if (s.nextAt === null) {
      s.step = 0;
      s.round = 0;
      s.run += 1;
    }
    s.nextAt = now;
    actions.push({ kind: 'resumed' });
  }
  if (s.nextAt === null || now.getTime() < s.nextAt.getTime()) return { state: s, actions, wakeAt: s.nextAt };
  if (s.round > policy.repeat) {
    actions.push({ kind: 'exhausted', rounds: policy.repeat + 1 });
    s.nextAt = null;
    return { state: s, actions, wakeAt: null };
  }
  const step = policy.steps[s.step];
  actions.push({ kind: 'step', step: s.step, round: s.round, run: s.run, notify: step.notify });
  s.nextAt = new Date(now.getTime() + step.waitSeconds * 1000);
  s.step += 1;
  if (s.step >= policy.steps.length) {
    s.step = 0;
    s.round += 1;
  }
  return { state: s, actions, wakeAt: s.nextAt };
}

/**
 * "Escalate" pressed: the pending step is taken now. Null when there is nothing to escalate
 * (the incident is not triggered, or every step of every round was taken).
 */
export function escalateNow(state: EscalationState, policy: EscalationPolicySnapshot, incident: IncidentView, now: Date): Decision | null {
  if (incident.status !== 'triggered') return null;
  // Seen triggered and nothing left: exhausted. (A status change not yet seen resumes instead.)
  if (state.lastStatus === 'triggered' && (state.nextAt === null || state.round > policy.repeat)) return null;
  return decide({ ...state, nextAt: now }, policy, incident, now);
}
