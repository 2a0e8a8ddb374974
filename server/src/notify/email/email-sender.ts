import type { FactoryProvider } from '@nestjs/common';
import * as nodemailer from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { ContactMessage, ContactSender, SendReceipt } from '../contact/contact-sender';
import { composeIncidentEmail } from './incident-email';
import { classifySmtpError, type SmtpFailure } from './smtp-errors';

/** How long one send may wait on the SMTP server: a hung server must not hold the outbox worker for nodemailer's default 10 minutes. */
export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
}

const DEFAULT_TIMEOUTS: SmtpTimeouts = { connectionMs: 15_000, greetingMs: 15_000, socketMs: 30_000 };

/**
 * Pages by e-mail through one SMTP server (SMTP_URL: `smtp://` upgrades with STARTTLS when the
 * server offers it, `smtps://` is TLS from the start; user and password in the URL). One
 * connection per message: pages are few, and a connection left open would fail the next page
 * when the server drops it. Every failure is a DeliveryError (see classifySmtpError).
 */
export class EmailSender implements ContactSender {
  readonly kind = 'email' as const;
  private readonly transport: nodemailer.Transporter;
  private readonly from: string;

  constructor(
    smtp: { url: string; from: string },
    timeouts: SmtpTimeouts = DEFAULT_TIMEOUTS,
  ) {
    this.from = smtp.from;
    this.transport = nodemailer.createTransport({
      url: smtp.url,
      connectionTimeout: timeouts.connectionMs,
      greetingTimeout: timeouts.greetingMs,
      socketTimeout: timeouts.socketMs,
    });
  }

  /** One SMTP server, one lane: the worker paces and counts failures for all e-mail together. */
  lane(): string {
    return 'smtp';
  }

  async send(message: ContactMessage): Promise<SendReceipt> {
    const email = composeIncidentEmail(message, this.from);
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: { name: message.user.name, address: message.address },
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: email.messageId,
        headers: email.headers,
      });
      return { messageId: email.messageId, response: String(info.response ?? ''), accepted: (info.accepted ?? []).map(String) };
    } catch (err) {
      throw classifySmtpError(err as SmtpFailure);
    }
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}

/** Nest token of the e-mail sender: an EmailSender, or null when SMTP_URL is not set. */
export const EMAIL_SENDER = Symbol('EMAIL_SENDER');

/** Provides EMAIL_SENDER from the config; CONTACT_SENDERS collects it with the other kinds (see contact-senders.ts). */
export const emailSenderProvider: FactoryProvider<EmailSender | null> = {
  provide: EMAIL_SENDER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => (config.smtp ? new EmailSender(config.smtp) : null),
};
