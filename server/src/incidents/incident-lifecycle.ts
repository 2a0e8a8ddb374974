import { ConflictError } from '../common/errors';
import type { Incident } from './incident.entity';
import type { Actor } from './timeline-entry.entity';

/**
 * The incident state machine as pure functions: each names what happened, checks that it
 * applies, changes the incident and returns the timeline line to record. The service persists.
 */
export interface LifecycleEvent {
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}

export function acknowledge(incident: Incident, actor: Actor, at: Date): LifecycleEvent {
  if (incident.status === 'acknowledged') throw new ConflictError(`incident ${incident.id} is already acknowledged`);
  if (incident.status === 'resolved') throw new ConflictError(`incident ${incident.id} is resolved; re-open it first`);
  incident.status = 'acknowledged';
  incident.acknowledgedAt = at;
  incident.acknowledgedBy = actor.name;
  return { kind: 'incident.acknowledged', message: `Acknowledged by ${actor.name}` };
}

export function resolve(incident: Incident, actor: Actor, at: Date): LifecycleEvent {
  if (incident.status === 'resolved') throw new ConflictError(`incident ${incident.id} is already resolved`);
  incident.status = 'resolved';
  incident.resolvedAt = at;
  incident.resolvedBy = actor.name;
  return { kind: 'incident.resolved', message: `Resolved by ${actor.name}` };
}

/** The alert stopped firing. The incident stays open until a person resolves it. */
export function recordSignalResolved(incident: Incident, at: Date, evidence: Record<string, unknown>): LifecycleEvent | null {
  if (incident.signalResolvedAt) return null;
  incident.signalResolvedAt = at;
  return {
    kind: 'incident.signal-resolved',
    message: 'The alert condition cleared: burn rates are back under the page thresholds',
    data: { evidence },
  };
}

/** The alert fired again while the incident is open: refresh the evidence, page nobody. */
export function recordSignalRefired(incident: Incident, evidence: Record<string, unknown>): LifecycleEvent | null {
  incident.evidence = evidence;
  if (!incident.signalResolvedAt) return null;
  incident.signalResolvedAt = null;
  return { kind: 'incident.signal-refired', message: 'The alert condition is true again', data: { evidence } };
}
