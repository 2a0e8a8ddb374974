import type { FactoryProvider } from '@nestjs/common';
import { CONTACT_SENDERS, type ContactSender } from './contact/contact-sender';
import { EMAIL_SENDER } from './email/email-sender';

/**
 * CONTACT_SENDERS: every configured sender, one per kind. Each kind provides its own token
 * (EMAIL_SENDER, …) with its sender or null when it is not configured; this list is the one
 * place they are gathered — add a kind's token to `inject`, and its provider to NotifyModule.
 */
export const contactSendersProvider: FactoryProvider<ContactSender[]> = {
  provide: CONTACT_SENDERS,
  inject: [EMAIL_SENDER],
  useFactory: (...senders: Array<ContactSender | null>) => senders.filter((s): s is ContactSender => s !== null),
};
