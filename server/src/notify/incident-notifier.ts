import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { INCIDENT_ACTIONS, type IncidentActionProvider } from '../common/incident-actions';
import { LOGGER, type Logger } from '../common/logger';
import { RoutesService } from '../rules/routes.service';
import { RulesService } from '../rules/rules.service';
import { SlosService } from '../slo/slos.service';
import { IncidentStore } from '../incidents/incident-store';
import { IncidentsService } from '../incidents/incidents.service';
import { SYSTEM_ACTOR } from '../incidents/actor';
import { TICKET_TOPIC } from '../incidents/incident-writer';
import type { OutboxMessage } from '../outbox/outbox-message.entity';
import type { KnownBlock } from '@slack/types';
import { ESCALATION_CHANNEL_TOPIC, ESCALATION_DM_TOPIC } from '../oncall/escalation-topics';
import { EscalationViews } from '../oncall/escalation-views';
import { stopReason } from '../oncall/notification-rules';
import { DeliveryError } from './delivery-error';
import { ChangesService } from '../changes/changes.service';
import { describeChange, type ChangeOnIncident } from '../changes/incident-changes';
import { renderIncidentMessage, type LatencyNow, type MessageLinks } from './slack/incident-message';
import { SLACK_API, PAGE_EVENT_TYPE, REPLY_EVENT_TYPE, TICKET_EVENT_TYPE } from './slack/slack.constants';
import { escapeMrkdwn } from './slack/mrkdwn';
import type { SlackApi } from './slack/slack-api';
import { SlackThread } from './slack/slack-thread.entity';

/** Tries of a look-up within one attempt, and the longest wait between two (a Retry-After beyond it ends the attempt). */
const LOOKUP_TRIES = 3;
const LOOKUP_MAX_WAIT_MS = 3000;

/**
 * A look for a message an earlier attempt may have sent, tried again at once on a retryable
 * failure: it only reads, so trying again is harmless, and a look that fails must not be taken
 * as "not there" — the last failure ends the attempt (retried later with backoff).
 */
export async function lookUp<T>(look: () => Promise<T>, wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await look();
    } catch (err) {
      const delay = err instanceof DeliveryError && err.retryable ? (err.retryAfterMs ?? 250 * tried) : Infinity;
      if (tried >= LOOKUP_TRIES || delay > LOOKUP_MAX_WAIT_MS) throw err;
      await wait(delay);
    }
  }
}

/**
 * Delivers one outbox message about an incident: the page (first Slack post, with metadata
 * that makes a repeated send detectable), or an update (edit the page in place and reply in
 * its thread). A ticket is posted the same way, once, to the channel its route names for
 * tickets, and its updates only edit it (no thread replies: nobody is being paged). Without
 * Slack configured the console inbox and the log are the channel.
 */
@Injectable()
export class IncidentNotifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsService,
    private readonly store: IncidentStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    /** Null without Slack configured: the console inbox and the log are the channel. */
    @Inject(SLACK_API) private readonly slack: SlackApi | null,
    @Inject(INCIDENT_ACTIONS) private readonly actions: IncidentActionProvider,
    private readonly routes: RoutesService,
    private readonly slos: SlosService,
    private readonly rules: RulesService,
    private readonly escalations: EscalationViews,
    private readonly changes: ChangesService,
  ) {}

  /**
   * The Slack conversation a message posts to (a channel, or a user id for a direct message),
   * or 'console' without Slack: the worker paces sends per conversation and reports its health.
   */
  async conversationOf(message: OutboxMessage): Promise<string> {
    if (!this.slack || !this.config.slack || message.incidentId === null) return 'console';
    const p = message.payload as { slackUserId?: string; channel?: string };
    if (message.topic === ESCALATION_DM_TOPIC) return String(p.slackUserId);
    if (message.topic === ESCALATION_CHANNEL_TOPIC && p.channel) return String(p.channel);
    // The ticket channel was chosen (from the route) when the ticket opened.
    if (message.topic === TICKET_TOPIC && p.channel) return String(p.channel);
    const thread = await this.dataSource.getRepository(SlackThread).findOneBy({ incidentId: message.incidentId });
    if (thread) return thread.channel;
    const incident = await this.store.facts(message.incidentId);
    return incident ? this.pageChannel(incident) : this.config.slack.channel;
  }

  /** Where an incident's page goes: its route's Slack channel, else SLACK_CHANNEL. */
  private pageChannel(incident: { route: string | null; labels: Record<string, string> | null; service: string; severity: string; source: string }): string {
    return this.routes.forIncident(incident).slackChannel ?? this.config.slack!.channel;
  }

  links(incidentId: number, runbookId: string | null): MessageLinks {
    const base = this.config.publicUrl;
    return {
      incidentUrl: `${base}/#/incidents/${incidentId}/show`,
      runbookUrl: runbookId ? `${base}/#/runbooks/${encodeURIComponent(runbookId)}/show` : null,
    };
  }

  /**
   * Delivers one message to `conversation` (conversationOf, which the worker has already asked:
   * the conversation paced is the one posted to). `beforeSend` runs right before each Slack call
   * that changes something — the worker's per-channel pacing for posts and its claim check for
   * both — so the spacing Slack sees is the spacing the worker keeps, and a worker that lost its
   * claim stops before it sends (ClaimLostError).
   */
  async deliver(
    message: OutboxMessage,
    opts: { conversation?: string; beforeSend?: (call: 'post' | 'update') => Promise<void> } = {},
  ): Promise<Record<string, unknown>> {
    const beforeSend = opts.beforeSend ?? (async () => undefined);
    const beforePost = () => beforeSend('post');
    if (message.incidentId === null) return { skipped: 'no incident' };
    const incident = await this.incidents.get(message.incidentId);
    const links = this.links(incident.id, incident.runbookId);
    if (message.topic === 'incident.triggered') {
      this.logger.warn({ incidentId: incident.id, service: incident.service, url: links.incidentUrl }, `PAGE: ${incident.title}`);
    }
    if (message.topic === TICKET_TOPIC) {
      this.logger.info({ incidentId: incident.id, service: incident.service, url: links.incidentUrl }, `TICKET: ${incident.title}`);
    }
    // The changes before it (its service's and dependencies', the suspect first): on the page and, once, on the timeline.
    const changes = message.topic === 'incident.triggered' || message.topic === TICKET_TOPIC ? await this.changes.beforeIncident(incident.service, incident.triggeredAt) : [];
    if (changes.length > 0) await this.noteChanges(incident.id, changes);
    if (!this.slack || !this.config.slack) {
      if (message.topic === 'incident.triggered') {
        await this.incidents.addNote(incident.id, SYSTEM_ACTOR, 'notification.sent', 'Page shown in the console inbox (Slack is not configured)', { channel: 'console' });
      }
      if (message.topic === TICKET_TOPIC) {
        await this.incidents.addNote(incident.id, SYSTEM_ACTOR, 'notification.sent', 'Ticket shown in the console (Slack is not configured)', { channel: 'console', ticket: true });
      }
      return { channel: 'console' };
    }
    // A DM a notification rule delayed is not worth sending once the incident moved on.
    const purpose = (message.payload as { purpose?: 'page' | 'reminder' }).purpose;
    const stop = message.topic === ESCALATION_DM_TOPIC && purpose ? stopReason(purpose, incident.status) : null;
    if (stop) {
      await this.incidents.addNote(incident.id, SYSTEM_ACTOR, 'notification.skipped', `Skipped the Slack direct message to ${String(message.payload.name)}: ${stop}`, { key: message.key });
      return { skipped: stop };
    }
    const ticket = incident.urgency === 'ticket';
    // A ticket's post says when (and how) its condition ended: the last such line of its timeline.
    const timeline = ticket || message.payload.timelineId !== undefined ? await this.incidents.timeline(incident.id) : [];
    const ended = ticket && incident.signalResolvedAt ? timeline.filter((t) => t.kind === 'incident.signal-resolved').at(-1) : undefined;
    const escalation = await this.escalations.ofIncident(incident.id);
    const rendered = renderIncidentMessage(incident, links, {
      escalating: escalation.running,
      paged: escalation.paged,
      latency: incident.sloId ? await this.latencyNow(incident.sloId) : null,
      // Buttons of later stages (Roll back while an approval is pending), while it is open.
      extra: incident.status === 'resolved' ? [] : await this.actions.buttons(incident.id),
      ended: ended ? { at: ended.at, message: ended.message } : null,
      changes: message.topic === 'incident.triggered' || message.topic === TICKET_TOPIC ? changes : await this.changes.beforeIncident(incident.service, incident.triggeredAt),
    });
    const conversation = opts.conversation ?? (await this.conversationOf(message));
    if (message.topic === ESCALATION_DM_TOPIC || message.topic === ESCALATION_CHANNEL_TOPIC) {
      return this.deliverEscalation(this.slack, message, incident.id, conversation, rendered, beforePost);
    }
    // Later changes go to the thread of the page, wherever it was posted.
    const thread = await this.dataSource.getRepository(SlackThread).findOneBy({ incidentId: incident.id });

    if (message.topic === 'incident.triggered' || message.topic === TICKET_TOPIC) {
      const asTicket = message.topic === TICKET_TOPIC;
      if (thread) return { channel: thread.channel, ts: thread.ts, alreadyPosted: true };
      const channel = conversation;
      const eventType = asTicket ? TICKET_EVENT_TYPE : PAGE_EVENT_TYPE;
      // A previous attempt may have reached Slack before the process died: look before posting.
      const earlier =
        message.attempts > 1
          ? await lookUp(() => this.slack!.findByMetadataKey(channel, eventType, message.key, new Date(message.createdAt.getTime() - 60_000)))
          : null;
      const posted = earlier
        ? { channel, ts: earlier }
        : await beforePost().then(() => this.slack!.postMessage({
            channel,
            ...rendered,
            metadata: { eventType, payload: { key: message.key, incident_id: incident.id } },
          }));
      // Kept under the channel name the page was posted to, so its updates share its send queue.
      await this.dataSource.query(
        `INSERT INTO slack_threads (incident_id, channel, ts, channel_id) VALUES ($1, $2, $3, $4) ON CONFLICT ON CONSTRAINT pk_slack_threads DO NOTHING`,
        [incident.id, channel, posted.ts, posted.channel],
      );
      await this.incidents.addNote(incident.id, SYSTEM_ACTOR, 'notification.sent', asTicket ? `Posted to ${channel} as a ticket` : `Paged ${channel} in Slack`, {
        channel, ts: posted.ts, recovered: Boolean(earlier), ...(asTicket ? { ticket: true } : {}),
      });
      return { channel, ts: posted.ts, recovered: Boolean(earlier) };
    }

    if (!thread) return { skipped: 'no Slack page to update' };
    // chat.update needs the channel id (a page posted to #name comes back with its C… id).
    const channelId = thread.channelId ?? thread.channel;
    // Editing the page again is harmless: it shows the incident as it is now.
    await beforeSend('update');
    await this.slack.update(channelId, thread.ts, rendered.text, rendered.blocks);
    // A ticket is one message kept current; its changes are not worth a notification each.
    if (ticket) return { channel: thread.channel, ts: thread.ts, updated: true };
    const timelineId = Number(message.payload.timelineId);
    const entry = timeline.find((t) => t.id === timelineId);
    if (!entry) return { channel: thread.channel, ts: thread.ts, updated: true };
    // The thread reply carries the outbox key too, so a retry after a lost answer finds it instead of replying twice.
    const earlier = message.attempts > 1 ? await lookUp(() => this.slack!.findReplyByMetadataKey(channelId, thread.ts, REPLY_EVENT_TYPE, message.key)) : null;
    if (!earlier) {
      await beforePost();
      await this.slack.postMessage({
        channel: channelId,
        threadTs: thread.ts,
        text: `${escapeMrkdwn(entry.message)} (${entry.at.toISOString()})`,
        metadata: { eventType: REPLY_EVENT_TYPE, payload: { key: message.key, incident_id: incident.id } },
      });
    }
    return { channel: thread.channel, ts: thread.ts, updated: true, ...(earlier ? { recovered: true } : {}) };
  }

  /** One timeline line naming the suspect change, written once per incident (a retried page does not repeat it). */
  private async noteChanges(incidentId: number, changes: ChangeOnIncident[]): Promise<void> {
    if ((await this.incidents.timeline(incidentId)).some((t) => t.kind === 'incident.changes')) return;
    const [first, ...rest] = changes;
    const more = rest.length ? `; ${rest.length} other change${rest.length === 1 ? '' : 's'} in the window before (see the incident)` : '';
    await this.incidents.addNote(incidentId, SYSTEM_ACTOR, 'incident.changes', `${first.suspect ? 'Suspect change' : 'Change before'}: ${describeChange(first)}${more}`, {
      changes: changes.map((c) => ({ id: c.id, suspect: c.suspect, minutesBefore: c.minutesBefore })),
    });
  }

  /** p50/p90/p99 over the last 5 minutes for a latency SLO (from the stored buckets, whatever the source); null otherwise. */
  private async latencyNow(sloId: string): Promise<LatencyNow | null> {
    const slo = this.rules.slo(sloId);
    if (!slo || slo.sli.kind !== 'latency') return null;
    try {
      const { window, quantiles } = await this.slos.latency(sloId, '5m', [0.5, 0.9, 0.99]);
      return { window, quantiles, thresholdSeconds: slo.sli.thresholdSeconds };
    } catch (err) {
      this.logger.warn({ sloId, err: (err as Error).message }, 'latency for the page could not be read');
      return null;
    }
  }

  /**
   * A step of an escalation policy: the page as a direct message to a person (chat.postMessage
   * to a user id opens the DM) or as a new post in a channel the step names. The outbox key is
   * in the message metadata, so a retried channel post finds the one that may have got through.
   */
  private async deliverEscalation(slack: SlackApi, message: OutboxMessage, incidentId: number, conversation: string, rendered: { text: string; blocks: KnownBlock[] }, beforePost: () => Promise<void>): Promise<Record<string, unknown>> {
    const p = message.payload as { slackUserId?: string; name?: string; channel?: string | null; userGroup?: string | null; step?: number; reason?: string | null; reminder?: number; pagedBy?: string };
    const dm = message.topic === ESCALATION_DM_TOPIC;
    // A DM goes to the user id; a channel step to its channel, or the one the incident was paged in.
    const channel = conversation;
    // Mentioning a user group is how Slack notifies its members.
    const who = p.userGroup ? `<!subteam^${p.userGroup}> ` : '';
    const intro = p.reminder
      ? `:alarm_clock: Reminder: you acknowledged this incident and it is still open.`
      : p.pagedBy
        ? `:rotating_light: ${escapeMrkdwn(p.pagedBy)} paged you with /headroom page.`
        : dm
        ? `:rotating_light: You are paged (escalation step ${p.step}${p.reason ? `, ${escapeMrkdwn(p.reason)}` : ''}).`
        : `:rotating_light: ${who}Escalation step ${p.step}: this incident needs someone.`;
    const metadata = { eventType: PAGE_EVENT_TYPE, payload: { key: message.key, incident_id: incidentId } };
    // A retry may follow a send that got through before a crash: look first, in the channel or
    // in the direct-message conversation (whose id only conversations.open tells).
    const lookIn = message.attempts > 1 ? (dm ? await lookUp(() => slack.openDirectMessage(channel)) : channel) : null;
    const earlier = lookIn ? await lookUp(() => slack.findByMetadataKey(lookIn, PAGE_EVENT_TYPE, message.key, new Date(message.createdAt.getTime() - 60_000))) : null;
    const posted = earlier && lookIn
      ? { channel: lookIn, ts: earlier }
      : await beforePost().then(() => slack.postMessage({ channel, text: `${intro} ${rendered.text}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: intro } }, ...rendered.blocks], metadata }));
    await this.incidents.addNote(incidentId, SYSTEM_ACTOR, 'notification.sent', dm ? `Sent a Slack direct message to ${p.name ?? channel}` : `Posted the page to ${channel} in Slack`, { channel: posted.channel, ts: posted.ts, key: message.key });
    return { channel: posted.channel, ts: posted.ts, recovered: Boolean(earlier) };
  }
}
