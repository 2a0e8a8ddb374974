import type { EntityManager } from 'typeorm';

/**
 * What happens in the transaction that pages an incident (opened, or unmuted while triggered),
 * beside the page itself: the escalation engine snapshots the route's policy and takes its first
 * step. Incidents calls it through INCIDENT_PAGED; server/src/pipeline.ts provides it.
 */
export interface IncidentPagedHandler {
  incidentPaged(m: EntityManager, incidentId: number): Promise<void>;
}

/** Injection token of the IncidentPagedHandler. */
export const INCIDENT_PAGED = Symbol('INCIDENT_PAGED');
