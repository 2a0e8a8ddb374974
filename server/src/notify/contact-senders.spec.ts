import { loadConfig } from '../config/config';
import { contactSendersProvider } from './contact-senders';
import { EmailSender, emailSenderProvider } from './email/email-sender';

describe('CONTACT_SENDERS', () => {
  it('holds the e-mail sender only when SMTP_URL is set, and never a null', () => {
    const none = emailSenderProvider.useFactory(loadConfig({}, '/srv/headroom'));
    expect(none).toBeNull();
    expect(contactSendersProvider.useFactory(none)).toEqual([]);

    const email = emailSenderProvider.useFactory(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'headroom@example.com' }, '/srv/headroom')) as EmailSender;
    expect(email).toBeInstanceOf(EmailSender);
    expect(contactSendersProvider.useFactory(email, null)).toEqual([email]);
    expect(contactSendersProvider.inject).toEqual([emailSenderProvider.provide]);
    email.onModuleDestroy();
  });
});
