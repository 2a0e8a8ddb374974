import type { EntityManager } from 'typeorm';

/**
 * What happens beside an incident's own change, in the same transaction: the escalation engine
 * snapshots the route's policy and takes its first step when the incident is paged, and looks
 * again when its status changes (acknowledged, resolved, snoozed, woken, re-opened). Incidents
 * calls it through INCIDENT_TRANSITIONS; server/src/pipeline.ts provides it.
 */
export interface IncidentTransitionHandler {
  /** Opened, or unmuted while triggered: the page is queued in this transaction. */
  incidentPaged(m: EntityManager, incidentId: number): Promise<void>;
  /** The status changed in this transaction. */
  incidentStatusChanged(m: EntityManager, incidentId: number): Promise<void>;
}

/** Injection token of the IncidentTransitionHandler. */
export const INCIDENT_TRANSITIONS = Symbol('INCIDENT_TRANSITIONS');
