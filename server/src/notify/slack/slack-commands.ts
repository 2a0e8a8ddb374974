import { HttpException, HttpStatus, Inject, Injectable, Optional } from '@nestjs/common';
import { SlackIdentityService } from '../../auth/slack-identity';
import { LOGGER, type Logger } from '../../common/logger';
import { IncidentsService } from '../../incidents/incidents.service';
import { EscalationEngine } from '../../oncall/escalation-engine';

/** Someone in Slack, as a click or a command names them. */
export interface SlackPerson {
  id: string;
  name: string;
}

export type SlackIncidentAction = 'acknowledge' | 'resolve' | 'escalate' | 'snooze';

/**
 * What people do from Slack: the page's buttons and Snooze menu. Every
 * change is role-checked with SlackIdentityService and made by the same service methods the
 * API calls; a refusal or a change that does not apply (409) is answered to the person only.
 */
@Injectable()
export class SlackCommands {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly identity: SlackIdentityService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly escalations?: EscalationEngine,
  ) {}

  /** A button or menu choice on an incident; returns what to tell the person, or null when it was done. */
  async act(what: SlackIncidentAction, incidentId: number, who: SlackPerson, snoozeSeconds = 0): Promise<string | null> {
    const auth = await this.identity.authorize(who.id, who.name);
    if (!auth.allowed) {
      this.logger.info({ incidentId, what, user: who.id }, 'slack action refused');
      return `You cannot ${what} incident #${incidentId}: ${auth.refusal}.`;
    }
    try {
      if (what === 'acknowledge') await this.incidents.acknowledge(incidentId, auth.actor);
      else if (what === 'resolve') await this.incidents.resolve(incidentId, auth.actor);
      else if (what === 'snooze') await this.incidents.snooze(incidentId, auth.actor, snoozeSeconds);
      else if (this.escalations) await this.escalations.escalate(incidentId, auth.actor);
      else return `Incident #${incidentId} cannot be escalated: escalation is not running in this process.`;
      return null;
    } catch (err) {
      // A second click on a stale message (already acknowledged…) is expected and harmless.
      this.logger.info({ incidentId, what, user: who.id, reason: (err as Error).message }, 'slack action not applied');
      return notApplied(err, incidentId);
    }
  }
}

/** Why a change did not happen, in words for the person who asked. */
function notApplied(err: unknown, incidentId: number): string {
  if (err instanceof HttpException) {
    if (err.getStatus() === HttpStatus.NOT_FOUND) return `There is no incident #${incidentId}.`;
    if (err.getStatus() === HttpStatus.CONFLICT) return `Nothing changed: ${err.message}.`;
  }
  return `Nothing changed: ${(err as Error).message}.`;
}
