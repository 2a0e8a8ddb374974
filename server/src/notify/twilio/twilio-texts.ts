import type { ContactMessage, ReplyOutcome } from '../contact/contact-sender';

/** Where Twilio posts the keypress of a voice page (TwilioWebhooksController's route). */
const TWILIO_VOICE_PATH = '/api/integrations/twilio/voice';

/** One SMS segment in the GSM 03.38 alphabet; a text outside it is sent as UCS-2, 70 characters a segment. */
const SEGMENT = 160;
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** Characters of the GSM extension table: two septets each. */
const GSM_EXTENDED = new Set('^{}\\[~]|€');

/**
 * The page as one SMS: severity, incident number, service, title, how to acknowledge and the
 * link, within one segment when they fit. The title is what gives way (cut with "..."), and
 * characters outside the GSM alphabet become their plain letter or "?" — one emoji in a title
 * would otherwise turn the whole message into UCS-2 and three segments.
 */
export function smsBody(message: ContactMessage): string {
  const { incident } = message;
  const head = gsm(`${incident.severity.toUpperCase()} #${incident.id} ${incident.service}: `);
  const tail = gsm(` Reply ${message.ackCode} to acknowledge. `) + message.links.incidentUrl;
  const title = gsm(oneLine(incident.title)).replace(/[.\s]+$/, '') + '.';
  const room = SEGMENT - septets(head) - septets(tail);
  return head + cut(title, Math.max(room, 30)) + tail;
}

/**
 * The voice page as inline TwiML: what happened, said twice at most, each time waiting for one
 * key; 1 posts to Headroom's voice webhook with the code of this send in the query (signed by
 * Twilio along with the URL, so it cannot be swapped).
 */
export function voiceTwiml(message: ContactMessage, publicUrl: string): string {
  const { incident } = message;
  const said = `Headroom page. ${incident.severity} incident ${incident.id} on ${spoken(incident.service)}: ${cut(oneLine(incident.title), 200)}. Press 1 to acknowledge.`;
  const action = `${publicUrl}${TWILIO_VOICE_PATH}?code=${encodeURIComponent(message.ackCode)}`;
  const gather = `<Gather numDigits="1" timeout="8" action="${xml(action)}" method="POST"><Say>${xml(said)}</Say></Gather>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${gather}${gather}<Say>No key was pressed. The page stays open. Goodbye.</Say></Response>`;
}

/** The TwiML answer to an inbound SMS: one reply message. */
export function messageResponse(text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${xml(text)}</Message></Response>`;
}

/** The TwiML answer to a keypress: said, then the call ends. */
export function sayResponse(text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${xml(text)}</Say></Response>`;
}

/** What the person is told after replying with a code. */
export function outcomeText(outcome: ReplyOutcome, medium: 'sms' | 'voice'): string {
  if (!outcome.acknowledged) return medium === 'sms' ? outcome.reason : `${outcome.reason}. Nothing was done. Goodbye.`;
  const incident = medium === 'sms' ? `#${outcome.incidentId}` : `incident ${outcome.incidentId}`;
  const end = medium === 'sms' ? 'The rest of this page is stopped.' : 'Goodbye.';
  if (outcome.alreadyAcknowledged) return `${incident} was already acknowledged. ${end}`;
  return `Acknowledged ${incident} as ${outcome.userName}. ${end}`;
}

export const NO_CODE_TEXT = 'No acknowledge code found. Reply with the code from the page, e.g. ACK 4821.';
export const NOT_ONE_TEXT = 'Nothing was done: only 1 acknowledges. The page stays open. Goodbye.';

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Hyphens read as "dash" by some voices; spaces read as a pause. */
function spoken(service: string): string {
  return service.replace(/[-_]+/g, ' ');
}

function cut(text: string, max: number): string {
  if (septets(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (septets(out + ch) > max - 3) break;
    out += ch;
  }
  return `${out.trimEnd()}...`;
}

/** The text in the GSM alphabet: accents dropped where the plain letter is in it, anything else "?". */
function gsm(text: string): string {
  let out = '';
  for (const ch of text) {
    if (GSM_BASIC.has(ch) || GSM_EXTENDED.has(ch)) out += ch;
    else {
      const plain = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += [...plain].every((c) => GSM_BASIC.has(c)) && plain !== '' ? plain : '?';
    }
  }
  return out;
}

function septets(text: string): number {
  let n = 0;
  for (const ch of text) n += GSM_EXTENDED.has(ch) ? 2 : 1;
  return n;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
