import { ConflictError } from '../common/errors';
import type { Incident } from './incident.entity';
import type { Actor } from './actor';

/**
 * The incident state machine as pure functions: each names what happened, checks that it
 * applies, changes the incident and returns the timeline line to record. The service persists.
 *
 *   triggered ──acknowledge──▶ acknowledged ──resolve──▶ resolved ──reopen──▶ triggered
 *       │  ▲                        │                       ▲
 *       │  └──── snooze ends ─── snoozed ◀──snooze──────────┘ (from triggered or acknowledged)
 *       └────────────────────── resolve ────────────────────┘
 */
export interface LifecycleEvent {
  kind: string;
  message: string;
  data?: Record<string, unknown>;
  /**
   * Whether the change goes to the outbox (Slack edits the page and replies in its thread).
   * Default true; false for bookkeeping that must not notify anyone, such as another alert
   * joining an incident someone is already working on.
   */
  notify?: boolean;
}

export function acknowledge(incident: Incident, actor: Actor, at: Date): LifecycleEvent {
  if (incident.status === 'acknowledged') throw new ConflictError(`incident ${incident.id} is already acknowledged`);
  if (incident.status === 'resolved') throw new ConflictError(`incident ${incident.id} is resolved; re-open it first`);
  const wasSnoozed = incident.status === 'snoozed';
  incident.status = 'acknowledged';
  incident.snoozedUntil = null;
  incident.acknowledgedAt = at;
  incident.acknowledgedBy = actor.name;
  return { kind: 'incident.acknowledged', message: `Acknowledged by ${actor.name}${wasSnoozed ? ' (snooze cancelled)' : ''}` };
}

export function resolve(incident: Incident, actor: Actor, at: Date): LifecycleEvent {
  if (incident.status === 'resolved') throw new ConflictError(`incident ${incident.id} is already resolved`);
  incident.status = 'resolved';
  incident.snoozedUntil = null;
  incident.resolvedAt = at;
  incident.resolvedBy = actor.name;
  return { kind: 'incident.resolved', message: `Resolved by ${actor.name}` };
}

/** The source resolved every alert and the route (or the signal) says that resolves the incident; `reason` is the signal's wording. */
export function resolveBySource(incident: Incident, actor: Actor, at: Date, reason?: string): LifecycleEvent | null {
  if (incident.status === 'resolved') return null;
  incident.status = 'resolved';
  incident.snoozedUntil = null;
  incident.resolvedAt = at;
  incident.resolvedBy = actor.name;
  incident.signalResolvedAt ??= at;
  return {
    kind: 'incident.resolved',
    message: reason
      ? `Resolved automatically: ${reason}`
      : `Resolved automatically: every alert resolved at the source (${actor.name}; route ${incident.route ?? 'default'} has autoResolve)`,
    data: { bySource: true, route: incident.route },
  };
}

/** The source (a PagerDuty acknowledge event) acknowledged it; nothing to do unless it is waiting for someone. */
export function acknowledgeBySource(incident: Incident, actor: Actor, at: Date): LifecycleEvent | null {
  if (incident.status !== 'triggered' && incident.status !== 'snoozed') return null;
  const event = acknowledge(incident, actor, at);
  return { ...event, data: { bySource: true } };
}

/** Quiet until `until`; then it is triggered again (see endSnooze). */
export function snooze(incident: Incident, actor: Actor, at: Date, until: Date): LifecycleEvent {
  if (incident.status === 'resolved') throw new ConflictError(`incident ${incident.id} is resolved; re-open it first`);
  if (until.getTime() <= at.getTime()) throw new ConflictError(`a snooze must end in the future (${until.toISOString()} is not after ${at.toISOString()})`);
  const previous = incident.status;
  incident.status = 'snoozed';
  incident.snoozedUntil = until;
  return {
    kind: 'incident.snoozed',
    message: `Snoozed by ${actor.name} until ${until.toISOString()}${previous === 'snoozed' ? ' (snooze changed)' : ''}`,
    data: { until: until.toISOString(), previousStatus: previous },
  };
}

/** The snooze is over: the incident wants attention again. */
export function endSnooze(incident: Incident, at: Date): LifecycleEvent | null {
  if (incident.status !== 'snoozed' || !incident.snoozedUntil || incident.snoozedUntil.getTime() > at.getTime()) return null;
  incident.status = 'triggered';
  incident.snoozedUntil = null;
  return { kind: 'incident.unsnoozed', message: 'Snooze ended: the incident is triggered again' };
}

export function reassign(incident: Incident, actor: Actor, assignee: string | null): LifecycleEvent {
  if (incident.status === 'resolved') throw new ConflictError(`incident ${incident.id} is resolved; re-open it first`);
  if ((incident.assignee ?? null) === assignee) {
    throw new ConflictError(assignee ? `incident ${incident.id} is already assigned to ${assignee}` : `incident ${incident.id} is not assigned to anyone`);
  }
  const previous = incident.assignee;
  incident.assignee = assignee;
  return {
    kind: 'incident.reassigned',
    message: assignee ? `Assigned to ${assignee} by ${actor.name}` : `Unassigned by ${actor.name}`,
    data: { assignee, previousAssignee: previous },
  };
}

/** Back to triggered; times to acknowledge and resolve are measured again from the original trigger. */
export function reopen(incident: Incident, actor: Actor): LifecycleEvent {
  if (incident.status !== 'resolved') throw new ConflictError(`incident ${incident.id} is not resolved (it is ${incident.status}); only a resolved incident can be re-opened`);
  const resolvedBy = incident.resolvedBy;
  incident.status = 'triggered';
  incident.resolvedAt = null;
  incident.resolvedBy = null;
  incident.acknowledgedAt = null;
  incident.acknowledgedBy = null;
  return { kind: 'incident.reopened', message: `Re-opened by ${actor.name}`, data: { previouslyResolvedBy: resolvedBy } };
}

export function note(actor: Actor, text: string): LifecycleEvent {
  return { kind: 'incident.note-added', message: `Note from ${actor.name}: ${text}`, data: { note: text } };
}

/**
 * An alert arrived that no silence or maintenance window covers, for an incident that opened
 * muted: page now if nobody has picked it up yet.
 */
export function unmute(incident: Incident): LifecycleEvent | null {
  if (!incident.muted) return null;
  incident.muted = false;
  const paging = incident.status === 'triggered';
  return {
    kind: 'incident.unmuted',
    message: paging ? 'An alert arrived that no silence or maintenance window covers: paging now' : 'An alert arrived that no silence or maintenance window covers',
    notify: false,
  };
}

/** The alert stopped firing. The incident stays open until a person resolves it. */
export function recordSignalResolved(
  incident: Incident,
  at: Date,
  evidence: Record<string, unknown>,
  message = 'The alert condition cleared: burn rates are back under the page thresholds',
): LifecycleEvent | null {
  if (incident.signalResolvedAt) return null;
  incident.signalResolvedAt = at;
  return { kind: 'incident.signal-resolved', message, data: { evidence } };
}

/** The alert fired again while the incident is open: refresh the evidence, page nobody. */
export function recordSignalRefired(incident: Incident, evidence: Record<string, unknown>, message = 'The alert condition is true again'): LifecycleEvent | null {
  incident.evidence = evidence;
  if (!incident.signalResolvedAt) return null;
  incident.signalResolvedAt = null;
  return { kind: 'incident.signal-refired', message, data: { evidence } };
}

/** The fields an audit entry compares before and after a change. */
export function auditView(incident: Incident): Record<string, unknown> {
  return {
    status: incident.status,
    title: incident.title,
    service: incident.service,
    severity: incident.severity,
    assignee: incident.assignee ?? null,
    snoozedUntil: incident.snoozedUntil ?? null,
    acknowledgedAt: incident.acknowledgedAt ?? null,
    acknowledgedBy: incident.acknowledgedBy ?? null,
    resolvedAt: incident.resolvedAt ?? null,
    resolvedBy: incident.resolvedBy ?? null,
    muted: incident.muted ?? false,
  };
}
