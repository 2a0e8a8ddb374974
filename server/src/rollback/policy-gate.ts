import type { Signal } from '../common/signals';
import type { RollbackPolicy } from '../rules/rollback-definition';

/**
 * The pure decisions of a rollback policy: whether a signal is one of its triggers, and what
 * to do once the breach has been seen `streak` evaluations in a row.
 */

/**
 * A policy's trigger matches only a firing signal that is a real breach: an SLO at page level,
 * or a guardrail whose harm test concluded `breach`. No data and too few units are never a
 * breach (the evaluators do not publish them as firing; the evidence is checked again here).
 */
export function matchesTrigger(policy: RollbackPolicy, signal: Signal): boolean {
  if (signal.status !== 'firing') return false;
  // A ticket (a slow burn) never rolls anything back: rollback follows pages.
  if (signal.urgency === 'ticket') return false;
  const t = policy.trigger;
  if (t.kind === 'slo') {
    if (signal.source !== 'slo' || signal.service !== t.service) return false;
    if (t.slo && signal.sloId !== `${t.service}.${t.slo}`) return false;
    // A burn signal's evidence must show a page window pair firing; a signal without window
    // pairs (blind monitoring: the SLO has no data) is no breach and never rolls anything back.
    const pairs = signal.evidence?.windowPairs;
    if (!Array.isArray(pairs)) return false;
    return pairs.some((p: { severity?: string; firing?: boolean }) => p.severity === 'page' && p.firing === true);
  }
  if (signal.source !== 'guardrail') return false;
  const labels = signal.labels ?? {};
  if (labels.experiment !== t.experiment) return false;
  if (t.variant && labels.variant !== t.variant) return false;
  if (t.metric && labels.metric !== t.metric) return false;
  return signal.evidence?.state === 'breach';
}

export type ExecutionStart = 'queued' | 'pending_approval' | 'dry_run';

export type GateDecision =
  | { kind: 'wait'; reason: string }
  | { kind: 'create'; status: ExecutionStart; reason: string }
  | { kind: 'skip'; reason: string };

export interface PolicyHistory {
  /** When this policy's executions (not skipped or cancelled) were created, any order. */
  recent: Date[];
  /** The latest of them, however old: a cooldown may be longer than an hour. */
  lastAt: Date | null;
}

const HOUR_MS = 3_600_000;

/** Whether the breach has held long enough, and whether cooldown and hourly cap allow firing now. */
export function decide(policy: RollbackPolicy, streak: number, history: PolicyHistory, now: Date): GateDecision {
  if (streak < policy.consecutiveEvaluations) {
    return { kind: 'wait', reason: `breach seen in ${streak} of ${policy.consecutiveEvaluations} consecutive evaluations` };
  }
  const t = now.getTime();
  if (history.lastAt && policy.cooldownSeconds > 0) {
    const until = history.lastAt.getTime() + policy.cooldownSeconds * 1000;
    if (t < until) {
      return { kind: 'skip', reason: `cooldown: policy ${policy.name} last fired at ${history.lastAt.toISOString()}; cooldown ends at ${new Date(until).toISOString()}` };
    }
  }
  const inHour = history.recent.filter((d) => d.getTime() > t - HOUR_MS && d.getTime() <= t).length;
  if (inHour >= policy.maxPerHour) {
    return { kind: 'skip', reason: `hourly cap: policy ${policy.name} already fired ${inHour} time${inHour === 1 ? '' : 's'} in the last hour (maxPerHour ${policy.maxPerHour})` };
  }
  const held = `breach held for ${streak} consecutive evaluation${streak === 1 ? '' : 's'}`;
  switch (policy.mode) {
    case 'auto':
      return { kind: 'create', status: 'queued', reason: `${held}; mode auto` };
    case 'approval':
      return { kind: 'create', status: 'pending_approval', reason: `${held}; waiting for a responder to approve` };
    case 'dry-run':
      return { kind: 'create', status: 'dry_run', reason: `${held}; mode dry-run: nothing sent` };
  }
}

/** The change a rollback aims at (the incident's suspect change), as its trigger records it. */
export interface SuspectChange {
  id: number;
  kind: string;
  service: string;
  summary: string;
  version: string | null;
  previousVersion: string | null;
  link: string | null;
}

/**
 * `requireChange`: a policy that rolls back a change fires only when one of that kind precedes the
 * breach (the suspect, docs/changes.md); otherwise there is nothing to roll back and it is skipped.
 */
export function requireChange(policy: Pick<RollbackPolicy, 'requireChange' | 'name'>, suspect: SuspectChange | null, decision: GateDecision): GateDecision {
  if (decision.kind !== 'create' || policy.requireChange === null) return decision;
  if (suspect && (policy.requireChange === 'any' || suspect.kind === policy.requireChange)) return decision;
  const found = suspect ? `the latest change before it is a ${suspect.kind} (${suspect.summary})` : 'no change of the service or its dependencies precedes it';
  return { kind: 'skip', reason: `no change to roll back: policy ${policy.name} requires a ${policy.requireChange === 'any' ? 'change' : policy.requireChange} and ${found}` };
}
