import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../../common/clock';
import { IncidentsService } from '../../incidents/incidents.service';
import { EscalationEngine } from '../../oncall/escalation-engine';
import { ESCALATION_CHANNEL_TOPIC, ESCALATION_DM_TOPIC } from '../../oncall/escalation-topics';
import { OncallService } from '../../oncall/oncall.service';
import { PersonalPager } from '../../oncall/personal-pager';
import type { OutboxMessage } from '../../outbox/outbox-message.entity';

/** The Slack messages that page someone: the page itself, an escalation DM, an escalation channel post. */
const PAGING_TOPICS = new Set(['incident.triggered', ESCALATION_DM_TOPIC, ESCALATION_CHANNEL_TOPIC]);

/**
 * A page is never silently given up: when Slack fails for good on a message that pages (a
 * permanent error such as channel_not_found, or retries exhausted), or its conversation keeps
 * failing while it is retried (3 attempts in a row), the people it was for are
 * reached at once through their other contact methods. For a DM that is its recipient; for the
 * page or a channel post, the escalation's current targets (who it notified last, else the
 * first step's people).
 */
@Injectable()
export class SlackFallback {
  constructor(
    private readonly pager: PersonalPager,
    private readonly escalations: EscalationEngine,
    private readonly oncall: OncallService,
    private readonly incidents: IncidentsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `reason`: the delivery error ("slack: channel_not_found"), or why the conversation counts as failing. */
  async slackGaveUp(message: OutboxMessage, reason: string): Promise<void> {
    if (message.incidentId === null || !PAGING_TOPICS.has(message.topic)) return;
    const error = reason.replace(/^slack: /, '');
    // Each failed attempt of a message on a failing conversation comes here: one fallback per message.
    const noted = await this.incidents.timeline(message.incidentId);
    if (noted.some((t) => t.kind === 'notification.fallback' && (t.data as { key?: string } | null)?.key === message.key)) return;
    if (message.topic === ESCALATION_DM_TOPIC) {
      const email = (message.payload as { email?: string | null }).email;
      await this.pager.fallBack(message.incidentId, email ? [email] : [], { key: message.key, error }, await this.oncall.users(), this.clock.now());
      return;
    }
    const { emails, users } = await this.escalations.currentTargets(message.incidentId);
    await this.pager.fallBack(message.incidentId, emails, { key: message.key, error }, users, this.clock.now());
  }
}
