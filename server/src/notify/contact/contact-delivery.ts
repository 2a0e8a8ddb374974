import { Inject, Injectable, Optional } from '@nestjs/common';
import { IncidentsService } from '../../incidents/incidents.service';
import { SYSTEM_ACTOR } from '../../incidents/actor';
import type { Incident } from '../../incidents/incident.entity';
import { ContactsStore } from '../../oncall/contacts.store';
import { sendNoun, shownAddress, stopReason } from '../../oncall/notification-rules';
import type { ContactPayload } from '../../oncall/personal-pager';
import type { OutboxMessage } from '../../outbox/outbox-message.entity';
import { DeliveryError } from '../delivery-error';
import { IncidentNotifier } from '../incident-notifier';
import { ACK_LINK_SIGNER, CONTACT_SENDERS, type AckLinkSigner, type ContactMessage, type ContactSender } from './contact-sender';

/** What to configure for a kind that has no sender, in the words of the failure. */
const HOW_TO_CONFIGURE: Record<string, string> = {
  email: 'set SMTP_URL',
  sms: 'set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM',
  voice: 'set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM',
  push: 'configure the push sender',
};

/**
 * Delivers one CONTACT_TOPIC outbox row (queued by PersonalPager) through the ContactSender of
 * its kind, and records each outcome on the incident's timeline and in the audit of sends. A
 * page whose incident is no longer triggered when it comes due is skipped, not sent: that is how
 * acknowledging anywhere stops the rest of a person's rules.
 */
@Injectable()
export class ContactDelivery {
  private readonly byKind: Map<string, ContactSender>;

  constructor(
    @Inject(CONTACT_SENDERS) senders: ContactSender[],
    private readonly store: ContactsStore,
    private readonly incidents: IncidentsService,
    private readonly notifier: IncidentNotifier,
    @Optional() @Inject(ACK_LINK_SIGNER) private readonly signer: AckLinkSigner | null = null,
  ) {
    this.byKind = new Map(senders.map((s) => [s.kind, s]));
  }

  /** The worker's lane for the row: the sender's (`contact:twilio`), so each provider is paced on its own. */
  laneOf(message: OutboxMessage): string {
    const p = message.payload as unknown as ContactPayload;
    const sender = this.byKind.get(p.kind);
    if (!sender) return `contact:${p.kind}`;
    try {
      return `contact:${sender.lane({ key: message.key, kind: p.kind, address: p.address })}`;
    } catch {
      // An address the sender cannot place (stored before a check existed) must not stop the claim loop; the send says what is wrong.
      return `contact:${p.kind}`;
    }
  }

  /**
   * Sends, or says why not. `beforeSend` is the worker's pacing and claim check, run right before
   * the provider is called. Throws a DeliveryError for the worker to retry or give up on.
   */
  async deliver(message: OutboxMessage, beforeSend: () => Promise<void>): Promise<Record<string, unknown>> {
    const p = message.payload as unknown as ContactPayload;
    const incident = await this.incidents.get(message.incidentId!);
    const lane = this.laneOf(message);
    const stop = stopReason(p.purpose, incident.status);
    if (stop) {
      await this.store.finish(p.sendId, 'skipped', { detail: stop, closeCode: incident.status === 'resolved' });
      await this.incidents.addNote(incident.id, SYSTEM_ACTOR, 'notification.skipped', `Skipped ${sendNoun(p.kind, 'the')} to ${p.name}: ${stop}`, { key: message.key, kind: p.kind, user: p.email });
      return { channel: lane, skipped: stop };
    }
    const sender = this.byKind.get(p.kind);
    if (!sender) throw new DeliveryError(`no ${p.kind} sender is configured (${HOW_TO_CONFIGURE[p.kind]})`, false);
    const send = await this.store.bySendKey(message.key);
    const contact = await this.message(message, p, incident, send?.ackCode ?? '');
    await beforeSend();
    const receipt = await sender.send(contact);
    await this.store.finish(p.sendId, 'sent', { receipt });
    await this.incidents.addNote(incident.id, SYSTEM_ACTOR, 'notification.sent', `Sent ${sendNoun(p.kind, 'a')} to ${p.name} (${shownAddress(p.kind, p.address)})`, { key: message.key, kind: p.kind, user: p.email, channel: lane });
    return { channel: lane, kind: p.kind, receipt };
  }

  /** The worker gave up on the row: the audit and the timeline say why. */
  async failed(message: OutboxMessage, failure: DeliveryError): Promise<void> {
    const p = message.payload as unknown as ContactPayload;
    await this.store.finish(p.sendId, 'failed', { detail: failure.message });
    await this.incidents.addNote(message.incidentId!, SYSTEM_ACTOR, 'notification.failed', `Could not send ${sendNoun(p.kind, 'a')} to ${p.name} (${shownAddress(p.kind, p.address)}): ${failure.message}`, { key: message.key, kind: p.kind, user: p.email });
  }

  private async message(message: OutboxMessage, p: ContactPayload, incident: Incident, ackCode: string): Promise<ContactMessage> {
    const links = this.notifier.links(incident.id, incident.runbookId);
    return {
      key: message.key,
      retried: message.attempts > 1,
      // A retried call looks for one placed since then (a call carries nothing else that identifies the page).
      queuedAt: message.createdAt,
      kind: p.kind,
      address: p.address,
      user: { email: p.email, name: p.name },
      incident: {
        id: incident.id, title: incident.title, service: incident.service, severity: incident.severity, status: incident.status,
        urgency: incident.urgency, summary: incident.description, openedAt: incident.triggeredAt,
      },
      reason: p.reason,
      ackCode,
      links: { ...links, ackUrl: this.signer ? await this.signer.linkFor(incident.id, { email: p.email }) : null },
    };
  }
}
