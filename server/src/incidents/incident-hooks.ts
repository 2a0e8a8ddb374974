import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Runs inside the transaction that pages an incident (opened, or unmuted while triggered). */
export type IncidentPagedHook = (m: EntityManager, incidentId: number) => Promise<void>;

/**
 * Lets a later stage act in the transaction that pages an incident without incidents importing
 * it: the escalation engine (oncall/) registers here and snapshots the escalation policy.
 */
@Injectable()
export class IncidentHooks {
  private readonly onPagedHooks: IncidentPagedHook[] = [];

  onPaged(hook: IncidentPagedHook): void {
    this.onPagedHooks.push(hook);
  }

  async paged(m: EntityManager, incidentId: number): Promise<void> {
    for (const hook of this.onPagedHooks) await hook(m, incidentId);
  }
}
