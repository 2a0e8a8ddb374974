import { loadConfig } from '../config/config';
import type { ContactSender } from './contact/contact-sender';
import { contactSendersProvider } from './contact-senders';
import { EmailSender, emailSenderProvider } from './email/email-sender';
import { TWILIO_SENDERS, twilioSenders } from './twilio/twilio-senders';
import { PushSender } from './push/push-sender';

describe('CONTACT_SENDERS', () => {
  it('holds the e-mail sender only when SMTP_URL is set, the Twilio senders only when Twilio is, and never a null', () => {
    const none = emailSenderProvider.useFactory(loadConfig({}, '/srv/headroom'));
    expect(none).toBeNull();
    expect(contactSendersProvider.useFactory(none, [])).toEqual([]);

    const email = emailSenderProvider.useFactory(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'headroom@example.com' }, '/srv/headroom')) as EmailSender;
    expect(email).toBeInstanceOf(EmailSender);
    expect(contactSendersProvider.useFactory(email, [])).toEqual([email]);
    const twilio = twilioSenders(loadConfig({ TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef', TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM: '+15005550006' }, '/srv/headroom'));
    expect(twilio.map((s) => s.kind)).toEqual(['sms', 'voice']);
    expect((contactSendersProvider.useFactory(email, twilio) as ContactSender[]).map((s) => s.kind)).toEqual(['email', 'sms', 'voice']);
    expect(contactSendersProvider.inject).toEqual([emailSenderProvider.provide, TWILIO_SENDERS, PushSender]);
    email.onModuleDestroy();
  });
});
