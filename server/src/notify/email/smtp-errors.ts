import { DeliveryError } from '../delivery-error';

/** What nodemailer puts on the errors it throws (NodemailerError); only what classification reads. */
export interface SmtpFailure {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
}

/**
 * Failures that carry no SMTP reply and that trying again cannot fix: bad or missing credentials
 * without a reply code, a message or envelope nodemailer refuses to build, a certificate or
 * STARTTLS failure (the server's set-up or SMTP_URL must change). Every other failure without
 * a reply — refused or dropped connection, timeout, DNS — is the network: retry.
 */
const PERMANENT_WITHOUT_REPLY = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'EENVELOPE', 'EMESSAGE', 'EREQUIRETLS', 'EMAXRECIPIENTS', 'ETLS']);

/**
 * One SMTP failure as a DeliveryError, the way RFC 5321 classes replies: 4yz is transient (421
 * service closing, 450/451 try later, 452 out of storage) and is retried; 5yz is permanent
 * (550 no such mailbox, 553 bad address, 535 bad credentials) and is not — except 503 (bad
 * sequence of commands), which says the session was in a wrong state, not that the message was
 * refused. The message keeps the server's own words, which say what to fix.
 */
export function classifySmtpError(err: SmtpFailure): DeliveryError {
  const code = err.responseCode;
  const reply = err.response ? err.response.trim().slice(0, 300) : null;
  if (typeof code === 'number' && code >= 400 && code < 600) {
    const retryable = code < 500 || code === 503;
    const what = code === 535 || err.code === 'EAUTH' ? 'the SMTP server refused the credentials in SMTP_URL' : retryable ? 'the SMTP server asked to try later' : 'the SMTP server refused the message';
    return new DeliveryError(`smtp ${code}: ${what}${reply ? ` (${reply})` : ''}`, retryable);
  }
  const kind = err.code ?? 'error';
  const detail = err.message ?? 'unknown error';
  return new DeliveryError(`smtp ${kind}: ${detail}`, !PERMANENT_WITHOUT_REPLY.has(kind));
}
