import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SlackIdentityService } from '../auth/slack-identity';
import { writeTimeline, type TimelineDraft } from '../incidents/incident-records';
import { IncidentStore } from '../incidents/incident-store';
import { SYSTEM_ACTOR } from '../incidents/actor';
import { OutboxService } from '../outbox/outbox.service';
import { ContactsStore } from './contacts.store';
import { ESCALATION_DM_TOPIC } from './escalation-topics';
import { CONTACT_TOPIC, describePlanned, expandRules, urgencyOf, type ContactKind, type MethodRef, type Urgency } from './notification-rules';
import type { OncallUser } from './oncall.service';

/** What a personal send is for: a page stops when the incident is no longer triggered, a reminder when it is resolved or snoozed. */
export type SendPurpose = 'page' | 'reminder';

/** The payload of a CONTACT_TOPIC outbox row. */
export interface ContactPayload {
  sendId: number;
  kind: ContactKind;
  address: string;
  userId: string | null;
  email: string;
  name: string;
  reason: string;
  purpose: SendPurpose;
  urgency: Urgency;
}

export interface PageArgs {
  incidentId: number;
  user: OncallUser;
  /** The idempotency prefix of this notification (an escalation step's key); every send's key starts with it. */
  keyPrefix: string;
  /** The Slack DM's key, when it differs from `${keyPrefix}:dm:${email}` (kept as it was before rules existed). */
  dmKey?: string;
  /** Merged into the Slack DM's payload (step, reason, reminder, pagedBy). */
  dmPayload: Record<string, unknown>;
  /** Why, in words for the audit of sends: "escalation step 1". */
  reason: string;
  purpose: SendPurpose;
  now: Date;
}

/**
 * Turns "notify this person" into outbox rows in the caller's transaction, following the
 * person's notification rules: the Slack DM as before, and one CONTACT_TOPIC row per other
 * method, not sent before its delay. Keys extend the caller's, so a repeated pass sends nothing
 * twice; the worker skips a row whose incident was acknowledged meanwhile (acknowledging
 * anywhere stops the rest). Also the fallback when Slack fails for good.
 */
@Injectable()
export class PersonalPager {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly contacts: ContactsStore,
    private readonly incidents: IncidentStore,
    private readonly identity: SlackIdentityService,
  ) {}

  /** Queues what the person's rules say; notes on `drafts` what could not be; true when anything was queued. */
  async page(m: EntityManager, args: PageArgs, drafts: TimelineDraft[]): Promise<boolean> {
    const { incidentId, now } = args;
    let user = args.user;
    const facts = await this.incidents.facts(incidentId, m);
    const urgency = urgencyOf(facts?.severity ?? 'critical');
    const { lines, methods } = await this.contacts.plan(m, user.id, urgency);
    const sends = expandRules(lines, methods, now);
    if (lines.length > 0) {
      drafts.push(note(incidentId, now, 'notification.rules', `${user.name}'s ${urgency}-urgency rules: ${sends.length ? sends.map(describePlanned).join(', ') : 'no method left'}`, { user: user.email, urgency }));
    }
    let queued = false;
    for (const send of sends) {
      if (send.kind === 'slack') {
        if (!user.slackUserId) {
          const found = await this.identity.slackIdFor(user, m);
          if (found) user = { ...user, slackUserId: found };
        }
        if (!user.slackUserId) {
          drafts.push(note(incidentId, now, 'escalation.failed', `could not notify ${user.name}: no Slack user id (set it on the People page)`, { user: user.email }));
          continue;
        }
        const later = send.delaySeconds > 0;
        await this.outbox.enqueue(m, {
          key: `${args.dmKey ?? `${args.keyPrefix}:dm:${user.email}`}${later ? `:after${send.delaySeconds}` : ''}`,
          topic: ESCALATION_DM_TOPIC,
          incidentId,
          payload: { ...args.dmPayload, slackUserId: user.slackUserId, email: user.email, name: user.name, ...(later ? { purpose: args.purpose } : {}) },
          // A DM at once keeps its place after the page; a later one waits for its time on its own.
          ...(later ? { notBefore: send.dueAt, inOrder: false } : {}),
        });
        queued = true;
        continue;
      }
      const key = `${args.keyPrefix}:contact:${user.email}:${send.method!.id}:${send.delaySeconds}`;
      if (await this.queueContact(m, { incidentId, user, method: send.method!, key, reason: `${args.reason}, ${describePlanned(send)}`, purpose: args.purpose, urgency, dueAt: send.dueAt })) queued = true;
    }
    return queued;
  }

  /**
   * Slack failed for good on a page of this incident: reach `emails` at once through every
   * method they have besides Slack, once per failed message (`failedKey`), and say so on the
   * timeline either way. Nothing happens for an incident no longer triggered.
   */
  async fallBack(incidentId: number, emails: string[], failure: { key: string; error: string }, users: Map<string, OncallUser>, now: Date): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const facts = await this.incidents.facts(incidentId, m);
      if (!facts || facts.status !== 'triggered') return;
      const urgency = urgencyOf(facts.severity);
      const reached: string[] = [];
      const without: string[] = [];
      let fresh = false;
      for (const email of emails) {
        const user = users.get(email.toLowerCase());
        if (!user) continue;
        const methods = await this.contacts.methods(user.id, m);
        if (methods.length === 0) {
          without.push(user.name);
          continue;
        }
        for (const method of methods) {
          const key = `fallback:${incidentId}:${failure.key}:${method.id}`;
          const reason = `Slack failed: ${failure.error}`;
          if (await this.queueContact(m, { incidentId, user, method, key, reason, purpose: 'page', urgency, dueAt: now })) fresh = true;
        }
        reached.push(`${[...new Set(methods.map((x) => kindName(x.kind)))].join(' and ')} for ${user.name}`);
      }
      // A second report of the same failure finds every send queued already: one line is enough.
      if (!fresh && reached.length > 0) return;
      const who = emails.length === 0 ? 'nobody to fall back to (no escalation target yet)' : reached.length === 0 ? `nobody has another contact method (${without.join(', ') || emails.join(', ')})` : `falling back to ${reached.join(', ')}${without.length ? `; ${without.join(', ')} has no other contact method` : ''}`;
      await writeTimeline(m, this.outbox, [note(incidentId, now, 'notification.fallback', `Slack failed (${failure.error}): ${who}`, { key: failure.key, error: failure.error, users: emails })]);
    });
    this.outbox.wake();
  }

  private async queueContact(m: EntityManager, s: { incidentId: number; user: OncallUser; method: MethodRef; key: string; reason: string; purpose: SendPurpose; urgency: Urgency; dueAt: Date }): Promise<boolean> {
    const recorded = await this.contacts.queueSend(m, {
      incidentId: s.incidentId, user: s.user, kind: s.method.kind, address: s.method.address, outboxKey: s.key, reason: s.reason, dueAt: s.dueAt,
    });
    if (!recorded) return false;
    const payload: ContactPayload = {
      sendId: recorded.id, kind: s.method.kind, address: s.method.address, userId: s.user.id, email: s.user.email, name: s.user.name,
      reason: s.reason, purpose: s.purpose, urgency: s.urgency,
    };
    await this.outbox.enqueue(m, { key: s.key, topic: CONTACT_TOPIC, incidentId: s.incidentId, payload: { ...payload }, notBefore: s.dueAt, inOrder: false });
    return true;
  }
}

function kindName(kind: ContactKind): string {
  return { email: 'email', sms: 'SMS', voice: 'a call', push: 'push' }[kind];
}

function note(incidentId: number, at: Date, kind: string, message: string, data: Record<string, unknown> = {}): TimelineDraft {
  return { incidentId, at, actor: SYSTEM_ACTOR, event: { kind, message, data, notify: false } };
}
