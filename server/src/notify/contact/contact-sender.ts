/**
 * The seam between paging a person and the services that reach them beyond Slack. The
 * orchestration (notification rules, the outbox, acknowledgements) decides *who* is reached *how*
 * and *when*; a ContactSender only delivers one message to one address, and throws a
 * DeliveryError that says whether a retry can help (429 with Retry-After, 5xx, network) or not
 * (a bad number, a rejected address, bad credentials).
 */

/**
 * How a person can be reached besides a Slack DM (which stays the escalation's own message).
 * Defined with the notification rules in oncall, which owns people's contact methods; the
 * escalation there needs the kinds, and oncall cannot import notify.
 */
export { CONTACT_KINDS, type ContactKind } from '../../oncall/notification-rules';
import type { ContactKind } from '../../oncall/notification-rules';

/** One message to one address, as the outbox worker hands it to a sender. */
export interface ContactMessage {
  /** The outbox key: stable across retries, so a provider that dedups by key (push) can, and a sender can look for an earlier attempt. */
  key: string;
  /** True when an earlier attempt was claimed: a send may have got through before a crash. */
  retried: boolean;
  /**
   * When the send was queued (the outbox row was written): no attempt of it is older, so a look
   * for an earlier attempt starts here (a voice call carries nothing else that tells it apart
   * from an earlier call to the same person). A sender that needs it and has none sends again.
   */
  queuedAt?: Date;
  kind: ContactKind;
  /** E-mail address, E.164 phone number, or push URL, as the user's contact method stores it. */
  address: string;
  user: { email: string; name: string };
  incident: {
    id: number;
    title: string;
    service: string;
    severity: string;
    status: string;
    urgency: 'page' | 'ticket';
    summary: string | null;
    openedAt: Date;
  };
  /** Why this person is reached now: "escalation step 1", "Slack failed: channel_not_found", ... */
  reason: string;
  /** A short code the person replies with (SMS) or keys in (voice) to acknowledge. */
  ackCode: string;
  links: {
    incidentUrl: string;
    runbookUrl: string | null;
    /** A signed, single-use, expiring acknowledge link (email). */
    ackUrl: string | null;
  };
}

/** What a delivered message left behind: kept on the outbox row and the audit of sends (e.g. Twilio's sid). */
export type SendReceipt = Record<string, unknown>;

export interface ContactSender {
  readonly kind: ContactKind;
  /**
   * The rate-limit lane of the provider (`twilio`, `smtp`, `push:<host>`): the worker paces
   * sends per lane and counts a lane's failures, as it does per Slack conversation. Asked when
   * the row is claimed, before the message is built: it sees the key, kind and address only.
   */
  lane(message: Pick<ContactMessage, 'key' | 'kind' | 'address'>): string;
  /** Delivers, or throws a DeliveryError (never anything else on a provider's answer). */
  send(message: ContactMessage): Promise<SendReceipt>;
}

/** Every configured sender; a kind without one (no SMTP_URL, no Twilio account) is absent. */
export const CONTACT_SENDERS = Symbol('CONTACT_SENDERS');

/** The answer to a reply that tries to acknowledge (an SMS "ACK 4821", a voice keypress). */
export type ReplyOutcome =
  | { acknowledged: true; incidentId: number; alreadyAcknowledged: boolean; userName: string }
  | { acknowledged: false; reason: string };

/**
 * Acknowledges the incident a code was sent for, as the person whose contact method `from` is.
 * A code that was not sent to `from` does nothing: knowing a code is not enough.
 */
export interface ReplyAcknowledger {
  acknowledgeByReply(reply: { kind: 'sms' | 'voice'; from: string; code: string }): Promise<ReplyOutcome>;
}

export const REPLY_ACKNOWLEDGER = Symbol('REPLY_ACKNOWLEDGER');

/**
 * Signs the acknowledge link an e-mail carries: single-use, expiring, for one person and one
 * incident. Optional where it is injected: without it messages carry no link.
 */
export interface AckLinkSigner {
  linkFor(incidentId: number, user: { email: string }): Promise<string>;
}

export const ACK_LINK_SIGNER = Symbol('ACK_LINK_SIGNER');
