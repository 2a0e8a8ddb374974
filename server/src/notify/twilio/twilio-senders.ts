import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { ContactMessage, ContactSender, SendReceipt } from '../contact/contact-sender';
import { TwilioClient, type TwilioCall, type TwilioMessage } from './twilio-client';
import { smsBody, voiceTwiml } from './twilio-texts';

/** Every send through one Twilio account shares its rate limit (Twilio answers 429 per account). */
const LANE = 'twilio';
/**
 * How far before `queuedAt` a look for an earlier attempt reaches: Twilio's clock and ours may
 * disagree by a little, and a message found there is matched by its code anyway.
 */
const CLOCK_SKEW_MS = 60_000;

/**
 * An SMS page. Exactly once: when an earlier attempt may have got through (`retried`), the
 * messages to the same number since the send was queued are searched for this send's
 * acknowledge code, which is unique to it, and a match is returned instead of a second SMS.
 */
export class SmsSender implements ContactSender {
  readonly kind = 'sms' as const;

  constructor(private readonly twilio: TwilioClient) {}

  lane(): string {
    return LANE;
  }

  async send(message: ContactMessage): Promise<SendReceipt> {
    const body = smsBody(message);
    if (message.retried) {
      const since = lookFrom(message);
      const earlier = (await this.twilio.messagesTo(message.address, since)).find((m) => isThisSms(m, message, this.twilio.from, since));
      if (earlier) return receipt(earlier, true);
    }
    return receipt(await this.twilio.createMessage(message.address, body), false);
  }
}

/**
 * A voice page: a call that says the incident and takes 1 to acknowledge. Exactly once: a call
 * carries nothing of the page, so an earlier attempt is a call from Headroom's number to the
 * same person since the send was queued (`queuedAt`; without it the call is placed again, a
 * second call being better than none).
 */
export class VoiceSender implements ContactSender {
  readonly kind = 'voice' as const;

  constructor(
    private readonly twilio: TwilioClient,
    private readonly publicUrl: string,
  ) {}

  lane(): string {
    return LANE;
  }

  async send(message: ContactMessage): Promise<SendReceipt> {
    if (message.retried && message.queuedAt) {
      const since = lookFrom(message);
      const earlier = (await this.twilio.callsTo(message.address, since)).find((c) => isThisCall(c, message, this.twilio.from, since));
      if (earlier) return receipt(earlier, true);
    }
    return receipt(await this.twilio.createCall(message.address, voiceTwiml(message, this.publicUrl)), false);
  }
}

function lookFrom(message: ContactMessage): Date {
  // No send of a page is older than its incident.
  return new Date((message.queuedAt ?? message.incident.openedAt).getTime() - CLOCK_SKEW_MS);
}

function createdSince(dateCreated: string | null, since: Date): boolean {
  return dateCreated !== null && Date.parse(dateCreated) >= since.getTime();
}

function isThisSms(m: TwilioMessage, message: ContactMessage, from: string, since: Date): boolean {
  const code = new RegExp(`\\bReply ${message.ackCode}\\b`);
  return m.to === message.address && m.from === from && code.test(m.body ?? '') && createdSince(m.date_created, since);
}

function isThisCall(c: TwilioCall, message: ContactMessage, from: string, since: Date): boolean {
  return c.to === message.address && c.from === from && createdSince(c.date_created, since);
}

/** What the outbox row keeps of a send: Twilio's sid and status, and whether it was an earlier attempt found rather than a new send. */
function receipt(resource: TwilioMessage | TwilioCall, foundEarlier: boolean): SendReceipt {
  return { provider: 'twilio', sid: resource.sid, status: resource.status, ...(foundEarlier ? { foundEarlier: true } : {}) };
}

/** The Twilio senders for the configuration: SMS and voice, or none when Twilio is not configured. */
export function twilioSenders(config: AppConfig): ContactSender[] {
  if (!config.twilio) return [];
  const client = new TwilioClient(config.twilio);
  return [new SmsSender(client), new VoiceSender(client, config.publicUrl)];
}

/** Injection token of the Twilio senders (a ContactSender[]), for CONTACT_SENDERS to collect. */
export const TWILIO_SENDERS = Symbol('TWILIO_SENDERS');

export const twilioSendersProvider: Provider = { provide: TWILIO_SENDERS, inject: [APP_CONFIG], useFactory: twilioSenders };
