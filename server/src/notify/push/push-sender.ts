import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../../common/webhook-signature';
import { DeliveryError, httpDeliveryError } from '../delivery-error';
import type { ContactMessage, ContactSender, SendReceipt } from '../contact/contact-sender';

/** The most of an error answer's body kept for the timeline: enough to say why, never a whole page. */
const ERROR_BODY_CHARS = 200;

/** The JSON a push webhook receives. `priority` is 'urgent' for high-urgency pages (ntfy's word; gateways map it). */
export interface PushBody {
  title: string;
  message: string;
  priority: 'urgent' | 'default';
  incident: { id: number; title: string; service: string; severity: string; status: string; openedAt: string; summary: string | null };
  url: string;
  runbookUrl: string | null;
  ackUrl: string | null;
  ackCode: string;
  reason: string;
}

/** High urgency (critical and error pages) is `urgent`: it should break through Do Not Disturb. */
export function pushBody(m: ContactMessage): PushBody {
  const urgent = m.incident.severity === 'critical' || m.incident.severity === 'error';
  return {
    title: `[${m.incident.severity.toUpperCase()}] ${m.incident.service}: ${m.incident.title}`,
    message: `Incident #${m.incident.id} (${m.reason}). Acknowledge in Headroom${m.links.ackUrl ? ' or with the link' : ''}.`,
    priority: urgent ? 'urgent' : 'default',
    incident: {
      id: m.incident.id, title: m.incident.title, service: m.incident.service, severity: m.incident.severity, status: m.incident.status,
      openedAt: m.incident.openedAt.toISOString(), summary: m.incident.summary,
    },
    url: m.links.incidentUrl,
    runbookUrl: m.links.runbookUrl,
    ackUrl: m.links.ackUrl,
    ackCode: m.ackCode,
    reason: m.reason,
  };
}

/**
 * Push through a generic outgoing webhook (ntfy, Pushover behind a relay, a company gateway):
 * a JSON POST to the person's https URL, with the outbox key as `Idempotency-Key` (a send
 * repeated after a crash carries the same one) and, with HEADROOM_PUSH_SECRET, the same HMAC
 * signature rollback hooks carry, the key as the signed id. Redirects are not followed: the
 * signed body goes to the URL the person gave, nowhere else.
 */
export class PushSender implements ContactSender {
  readonly kind = 'push' as const;

  constructor(
    private readonly opts: { secret?: string; timeoutMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  lane(message: Pick<ContactMessage, 'address'>): string {
    return `push:${new URL(message.address).host}`;
  }

  async send(message: ContactMessage): Promise<SendReceipt> {
    if (!URL.canParse(message.address)) throw new DeliveryError(`push: ${message.address} is not a URL`, false);
    const body = JSON.stringify(pushBody(message));
    const timestamp = Math.floor(this.now() / 1000);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Idempotency-Key': message.key,
      [TIMESTAMP_HEADER]: String(timestamp),
    };
    if (this.opts.secret) headers[SIGNATURE_HEADER] = webhookSignature(this.opts.secret, { timestamp, method: 'POST', url: message.address, id: message.key, body });
    let res: Response;
    try {
      res = await fetch(message.address, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.opts.timeoutMs) });
    } catch (err) {
      throw new DeliveryError(`push: network error: ${(err as Error).message}`, true);
    }
    const text = await start(res);
    if (res.status >= 200 && res.status < 300) return { status: res.status };
    if (res.status >= 300 && res.status < 400) throw new DeliveryError(`push: HTTP ${res.status} redirect not followed (give the final URL)`, false);
    throw httpDeliveryError('push', res.status, res.headers.get('retry-after'), text, this.now());
  }
}

/** The first characters of a body, without reading the rest. */
async function start(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  let text = '';
  const decoder = new TextDecoder();
  try {
    while (text.length < ERROR_BODY_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.slice(0, ERROR_BODY_CHARS).replace(/\s+/g, ' ').trim();
}
