import type { FactoryProvider } from '@nestjs/common';
import { CONTACT_SENDERS, type ContactSender } from './contact/contact-sender';
import { EMAIL_SENDER } from './email/email-sender';
import { TWILIO_SENDERS } from './twilio/twilio-senders';
import { PushSender } from './push/push-sender';

/**
 * CONTACT_SENDERS: every configured sender, one per kind. Each provider gives its own token
 * (EMAIL_SENDER, TWILIO_SENDERS, PushSender) its sender, its senders (Twilio: SMS and voice), or null
 * when it is not configured; this list is the one place they are gathered — add a token to
 * `inject`, and its provider to NotifyModule.
 */
export const contactSendersProvider: FactoryProvider<ContactSender[]> = {
  provide: CONTACT_SENDERS,
  inject: [EMAIL_SENDER, TWILIO_SENDERS, PushSender],
  useFactory: (...provided: Array<ContactSender | ContactSender[] | null>) => provided.flat().filter((s): s is ContactSender => s !== null),
};
