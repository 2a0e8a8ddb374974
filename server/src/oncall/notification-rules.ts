/**
 * Personal notification rules, as pure functions: which list applies to a page, what a list
 * expands to (each method with its due time), how an address is checked, and the short code a
 * person replies with to acknowledge. Grafana OnCall's default/important rules are the model.
 */

/** How a person can be reached besides a Slack DM (which stays the escalation's own message). */
export const CONTACT_KINDS = ['email', 'sms', 'voice', 'push'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

export const URGENCIES = ['high', 'low'] as const;
/** High urgency wakes people (critical and error pages); low urgency may wait for the morning (warning, info). */
export type Urgency = (typeof URGENCIES)[number];

/** The outbox topic of one send through a contact method. */
export const CONTACT_TOPIC = 'notify.contact';

/** The longest delay a rule may have: a day (longer would outlive any escalation). */
export const MAX_RULE_DELAY_SECONDS = 86_400;

/** Pages of severity critical or error are high urgency; warning and info are low. Tickets never page anyone. */
export function urgencyOf(severity: string): Urgency {
  return severity === 'critical' || severity === 'error' ? 'high' : 'low';
}

/** A rule line as stored: a contact method (null: the Slack DM) and a delay. */
export interface RuleLine {
  contactMethodId: number | null;
  delaySeconds: number;
}

export interface MethodRef {
  id: number;
  kind: ContactKind;
  address: string;
  label: string;
}

/** One send a page turns into. */
export interface PlannedSend {
  kind: 'slack' | ContactKind;
  /** Null for the Slack DM. */
  method: MethodRef | null;
  delaySeconds: number;
  dueAt: Date;
}

/**
 * The sends a page makes for one person: their rule lines in order, each due `delay` after
 * `now`. A person without rules keeps what everyone had before rules existed: a Slack DM at
 * once. A line whose method is gone is left out.
 */
export function expandRules(lines: RuleLine[], methods: MethodRef[], now: Date): PlannedSend[] {
  if (lines.length === 0) return [{ kind: 'slack', method: null, delaySeconds: 0, dueAt: now }];
  const byId = new Map(methods.map((m) => [m.id, m]));
  const out: PlannedSend[] = [];
  for (const line of lines) {
    const dueAt = new Date(now.getTime() + line.delaySeconds * 1000);
    if (line.contactMethodId === null) {
      out.push({ kind: 'slack', method: null, delaySeconds: line.delaySeconds, dueAt });
      continue;
    }
    const method = byId.get(line.contactMethodId);
    if (method) out.push({ kind: method.kind, method, delaySeconds: line.delaySeconds, dueAt });
  }
  return out;
}

/** Why an address does not fit its kind, or null when it does. */
export function addressProblem(kind: ContactKind, address: string): string | null {
  switch (kind) {
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) && address.length <= 320 ? null : 'must be an email address such as alice@example.com';
    case 'sms':
    case 'voice':
      return /^\+[1-9]\d{6,14}$/.test(address) ? null : 'must be a phone number in E.164 form, such as +14155550123';
    case 'push': {
      let url: URL;
      try {
        url = new URL(address);
      } catch {
        return 'must be an https URL';
      }
      return url.protocol === 'https:' && address.length <= 2048 ? null : 'must be an https URL';
    }
  }
}

/** A short acknowledge code: `digits` decimal digits, never starting with 0 (a reply "0421" might lose it). */
export function ackCode(random: () => number, digits = 4): string {
  const low = 10 ** (digits - 1);
  return String(low + Math.floor(random() * (9 * low)));
}

/** How the timeline names a send of a kind: "an SMS", "the call". */
export function sendNoun(kind: ContactKind, article: 'a' | 'the'): string {
  const noun = { email: 'email', sms: 'SMS', voice: 'call', push: 'push notification' }[kind];
  if (article === 'the') return `the ${noun}`;
  return kind === 'email' || kind === 'sms' ? `an ${noun}` : `a ${noun}`;
}

/** An address as the timeline shows it: the last four digits of a phone, the host of a push URL, an e-mail as is. */
export function shownAddress(kind: ContactKind, address: string): string {
  if (kind === 'sms' || kind === 'voice') return `…${address.slice(-4)}`;
  if (kind === 'push') {
    try {
      return new URL(address).host;
    } catch {
      return 'push';
    }
  }
  return address;
}

/** "SMS after 2 min", "Slack DM at once": a planned send for the timeline. */
export function describePlanned(send: Pick<PlannedSend, 'kind' | 'method' | 'delaySeconds'>): string {
  const what = send.kind === 'slack' ? 'Slack DM' : `${{ email: 'email', sms: 'SMS', voice: 'call', push: 'push' }[send.kind]} (${shownAddress(send.kind, send.method!.address)})`;
  return `${what} ${send.delaySeconds === 0 ? 'at once' : `after ${formatDelay(send.delaySeconds)}`}`;
}

export function formatDelay(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Why a send due now is not worth making: a page needs a triggered incident; a reminder one that is still acknowledged. */
export function stopReason(purpose: 'page' | 'reminder', status: string): string | null {
  if (purpose === 'reminder') return status === 'acknowledged' ? null : status;
  return status === 'triggered' ? null : status;
}
