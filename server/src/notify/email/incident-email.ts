import { createHash } from 'node:crypto';
import { escapeHtml } from '../../common/html';
import type { ContactMessage } from '../contact/contact-sender';

/** What an e-mail page is made of, before SMTP: pure, so its wording and escaping are tested alone. */
export interface IncidentEmail {
  subject: string;
  text: string;
  html: string;
  /** `<…@domain>`: the same for every attempt of one outbox message (see messageIdFor). */
  messageId: string;
  headers: Record<string, string>;
}

/** Control characters (CR, LF, …) out of a header value: a title must not end the Subject line. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Only http(s) links become links: a runbook URL of `javascript:…` is shown, never made clickable. */
function safeHref(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** The domain of the From address ("Headroom <pager@example.com>" → example.com), for Message-IDs. */
export function domainOf(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase() || 'headroom.invalid';
}

/**
 * A Message-ID made from the outbox key, not at random: a message sent again after a crash
 * (the first attempt may have reached the server) is the same message to mail clients and
 * servers, which show or keep it once.
 */
export function messageIdFor(key: string, from: string): string {
  return `<headroom.${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domainOf(from)}>`;
}

export function composeIncidentEmail(m: ContactMessage, from: string): IncidentEmail {
  const i = m.incident;
  const severity = i.severity.toUpperCase();
  const subject = oneLine(`[${severity}] ${i.service}: ${i.title} (incident #${i.id})`);
  const opened = i.openedAt.toISOString();
  const runbook = safeHref(m.links.runbookUrl);
  const ack = safeHref(m.links.ackUrl);
  const incident = safeHref(m.links.incidentUrl) ?? m.links.incidentUrl;

  const text = [
    `${severity} ${i.urgency === 'page' ? 'page' : 'ticket'}: incident #${i.id} on ${i.service}`,
    i.title,
    '',
    `Status: ${i.status}, opened ${opened}`,
    `Why you: ${m.reason}`,
    ...(i.summary ? ['', i.summary] : []),
    '',
    ...(ack ? [`Acknowledge: ${ack}`] : []),
    `Incident: ${incident}`,
    ...(m.links.runbookUrl ? [`Runbook: ${m.links.runbookUrl}`] : []),
    '',
    `Sent by Headroom to ${m.user.name} <${m.address}>.`,
  ].join('\n');

  const row = (label: string, value: string) => `<tr><th align="left" style="padding:2px 12px 2px 0">${label}</th><td>${value}</td></tr>`;
  const link = (href: string, label: string) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
  const html = [
    '<!DOCTYPE html><html><body style="font-family:sans-serif">',
    `<p style="margin:0;color:#b00020;font-weight:bold">${escapeHtml(severity)} ${i.urgency === 'page' ? 'page' : 'ticket'} · incident #${i.id}</p>`,
    `<h2 style="margin:4px 0 12px">${escapeHtml(i.title)}</h2>`,
    '<table style="border-collapse:collapse">',
    row('Service', escapeHtml(i.service)),
    row('Status', escapeHtml(i.status)),
    row('Opened', escapeHtml(opened)),
    row('Why you', escapeHtml(m.reason)),
    '</table>',
    ...(i.summary ? [`<p style="white-space:pre-wrap">${escapeHtml(i.summary)}</p>`] : []),
    ...(ack
      ? [`<p><a href="${escapeHtml(ack)}" style="display:inline-block;padding:10px 18px;background:#1565c0;color:#fff;text-decoration:none;border-radius:4px">Acknowledge</a></p>`]
      : []),
    `<p>${link(incident, 'Open the incident')}${runbook ? ` · ${link(runbook, 'Runbook')}` : m.links.runbookUrl ? ` · Runbook: ${escapeHtml(m.links.runbookUrl)}` : ''}</p>`,
    `<p style="color:#666;font-size:small">Sent by Headroom to ${escapeHtml(m.user.name)} &lt;${escapeHtml(m.address)}&gt;.</p>`,
    '</body></html>',
  ].join('\n');

  return {
    subject,
    text,
    html,
    messageId: messageIdFor(m.key, from),
    headers: {
      'X-Headroom-Incident': String(i.id),
      // Mail servers and clients do not auto-reply (out of office) to a machine's message.
      'Auto-Submitted': 'auto-generated',
    },
  };
}
