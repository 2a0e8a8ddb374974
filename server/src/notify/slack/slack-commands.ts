import { escapeMrkdwn } from './mrkdwn';
import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { SlackIdentityService } from '../../auth/slack-identity';
import { CLOCK, type Clock } from '../../common/clock';
import { LOGGER, type Logger } from '../../common/logger';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { Incident } from '../../incidents/incident.entity';
import { IncidentsService } from '../../incidents/incidents.service';
import { EscalationEngine } from '../../oncall/escalation-engine';
import { ESCALATION_DM_TOPIC } from '../../oncall/escalation-topics';
import { OncallService } from '../../oncall/oncall.service';
import { OutboxService } from '../../outbox/outbox.service';
import { writeTimeline, type TimelineDraft } from '../../incidents/incident-records';
import { PersonalPager } from '../../oncall/personal-pager';
import { slackDate } from './incident-message';
import { parseSlashCommand, SLASH_HELP } from './slash-command';

/** Someone in Slack, as a click or a command names them. */
export interface SlackPerson {
  id: string;
  name: string;
}

export interface SlackReply {
  responseType: 'ephemeral' | 'in_channel';
  text: string;
}

export type SlackIncidentAction = 'acknowledge' | 'resolve' | 'escalate' | 'snooze';

const OPEN_STATUSES = ['triggered', 'acknowledged', 'snoozed'];
const MAX_LISTED = 10;
const UNTIL_SHOWN_MS = 30 * 86_400_000;

const ephemeral = (text: string): SlackReply => ({ responseType: 'ephemeral', text });

/**
 * What people do from Slack: the page's buttons and menu, and the `/headroom` command. Every
 * change is role-checked with SlackIdentityService and made by the same service methods the
 * API calls; a refusal or a change that does not apply (409) is answered to the person only.
 */
@Injectable()
export class SlackCommands {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly oncall: OncallService,
    private readonly identity: SlackIdentityService,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly escalations: EscalationEngine,
    private readonly pager: PersonalPager,
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
      else await this.escalations.escalate(incidentId, auth.actor);
      return null;
    } catch (err) {
      // A second click on a stale message (already acknowledged…) is expected and harmless.
      this.logger.info({ incidentId, what, user: who.id, reason: (err as Error).message }, 'slack action not applied');
      return notApplied(err, incidentId);
    }
  }

  /** `/headroom …`: what to answer (ephemeral unless it is a page, which the channel should see). */
  async run(text: string, who: SlackPerson): Promise<SlackReply> {
    const cmd = parseSlashCommand(text);
    switch (cmd.kind) {
      case 'help':
        return ephemeral(cmd.unknown ? `Headroom does not know \`${cmd.unknown}\`.\n${SLASH_HELP}` : SLASH_HELP);
      case 'usage':
        return ephemeral(cmd.message);
      case 'oncall':
        return ephemeral(await this.whoIsOnCall(cmd.schedule));
      case 'incidents':
        return ephemeral(await this.openIncidents());
      case 'ack':
      case 'resolve': {
        const what = cmd.kind === 'ack' ? 'acknowledge' : 'resolve';
        const problem = await this.act(what, cmd.incidentId, who);
        if (problem) return ephemeral(problem);
        const incident = await this.incidents.get(cmd.incidentId);
        return ephemeral(`${what === 'acknowledge' ? 'Acknowledged' : 'Resolved'} ${this.link(incident)}: ${escapeMrkdwn(incident.title)}`);
      }
      case 'page':
        return this.page(cmd.target, cmd.message, who);
    }
  }

  private async page(target: { service: string } | { slackUserId: string; label: string | null }, message: string, who: SlackPerson): Promise<SlackReply> {
    const auth = await this.identity.authorize(who.id, who.name);
    if (!auth.allowed) return ephemeral(`You cannot page: ${auth.refusal}.`);
    if ('service' in target) {
      const incident = await this.incidents.createManual({ title: message, service: target.service, severity: 'error' }, auth.actor);
      return { responseType: 'in_channel', text: `:rotating_light: ${escapeMrkdwn(auth.actor.name)} paged ${escapeMrkdwn(target.service)}: ${this.link(incident)} ${escapeMrkdwn(message)}` };
    }
    const paged = await this.identity.userFor(target.slackUserId);
    const name = paged?.name ?? target.label ?? target.slackUserId;
    const incident = await this.incidents.createManual(
      { title: message, service: 'manual', severity: 'error', assignee: name, labels: { paged_user: target.slackUserId } },
      auth.actor,
      async (m, opened) => {
        const dmKey = `page:${opened.id}:dm:${target.slackUserId}`;
        const dmPayload = { pagedBy: auth.actor.name };
        if (!paged) {
          // Not a Headroom user: no notification rules, the Slack DM only.
          await this.outbox.enqueue(m, { key: dmKey, topic: ESCALATION_DM_TOPIC, incidentId: opened.id, payload: { ...dmPayload, slackUserId: target.slackUserId, email: null, name } });
          return;
        }
        // A Headroom user is reached the way their notification rules say, like an escalation step.
        const drafts: TimelineDraft[] = [];
        const user = { id: paged.id, email: paged.email.toLowerCase(), name: paged.name, slackUserId: target.slackUserId };
        await this.pager.page(m, { incidentId: opened.id, user, keyPrefix: `page:${opened.id}`, dmKey, dmPayload, reason: `paged by ${auth.actor.name}`, purpose: 'page', now: this.clock.now() }, drafts);
        await writeTimeline(m, this.outbox, drafts);
      },
    );
    return { responseType: 'in_channel', text: `:rotating_light: ${escapeMrkdwn(auth.actor.name)} paged <@${target.slackUserId}>: ${this.link(incident)} ${escapeMrkdwn(message)}` };
  }

  private async whoIsOnCall(schedule: string | null): Promise<string> {
    const all = (await this.oncall.onCallNow()) as Array<{ schedule: { id: string; name: string }; onCall: { user: { name: string }; shiftEnd: string | Date | null } | null }>;
    if (all.length === 0) return 'No on-call schedules are defined (see docs/oncall.md).';
    const wanted = schedule?.toLowerCase();
    const chosen = wanted ? all.filter((s) => s.schedule.id.toLowerCase() === wanted || s.schedule.name.toLowerCase() === wanted) : all;
    if (chosen.length === 0) return `There is no schedule ${schedule}. Schedules: ${all.map((s) => `\`${s.schedule.id}\``).join(', ')}`;
    return chosen
      .map(({ schedule: s, onCall }) => {
        // A shift that does not end within a month (a rotation of one) is shown without an end.
        const end = onCall?.shiftEnd ? new Date(onCall.shiftEnd) : null;
        const until = end && end.getTime() - this.clock.now().getTime() < UNTIL_SHOWN_MS ? ` until ${slackDate(end)}` : '';
        return `*${escapeMrkdwn(s.name)}* (\`${escapeMrkdwn(s.id)}\`): ${onCall ? `${escapeMrkdwn(onCall.user.name)}${until}` : 'nobody is on call'}`;
      })
      .join('\n');
  }

  private async openIncidents(): Promise<string> {
    const { items, total } = await this.incidents.list({ filter: { status: OPEN_STATUSES }, sort: { field: 'id', order: 'DESC' }, offset: 0, limit: MAX_LISTED });
    if (items.length === 0) return 'No open incidents.';
    const lines = items.map((i) => `${this.link(i)} ${i.severity.toUpperCase()} ${escapeMrkdwn(i.service)}: ${escapeMrkdwn(i.title)} (${i.status}${i.acknowledgedBy && i.status === 'acknowledged' ? ` by ${escapeMrkdwn(i.acknowledgedBy)}` : ''})`);
    const more = total > items.length ? `\n…and ${total - items.length} more: <${this.config.publicUrl}/#/incidents|all incidents>` : '';
    return `*Open incidents* (newest first)\n${lines.join('\n')}${more}`;
  }

  private link(incident: Pick<Incident, 'id'>): string {
    return `<${this.config.publicUrl}/#/incidents/${incident.id}/show|#${incident.id}>`;
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
