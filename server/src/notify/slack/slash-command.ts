/**
 * The `/headroom` slash command's text as a value: what to do, or why the text does not say.
 * Pure, so every spelling people type is covered by unit tests.
 */
export type SlashCommand =
  | { kind: 'help'; unknown: string | null }
  | { kind: 'oncall'; schedule: string | null }
  | { kind: 'incidents' }
  | { kind: 'ack' | 'resolve'; incidentId: number }
  | { kind: 'page'; target: { service: string } | { slackUserId: string; label: string | null }; message: string }
  | { kind: 'usage'; message: string };

export const SLASH_HELP = [
  '*Headroom* — `/headroom` followed by:',
  '• `oncall [schedule]` — who is on call now (every schedule, or one by id or name)',
  '• `incidents` — open incidents, newest first',
  '• `ack ID` — acknowledge incident ID (responders and admins)',
  '• `resolve ID` — resolve incident ID (responders and admins)',
  '• `page SERVICE MESSAGE` — open an incident for a service, paged like any other (responders and admins)',
  '• `page @person MESSAGE` — open an incident and page that person with a direct message',
  '• `help` — this text',
].join('\n');

const USAGE = {
  ack: 'Usage: `/headroom ack ID`, with the incident number (e.g. `/headroom ack 42`)',
  resolve: 'Usage: `/headroom resolve ID`, with the incident number (e.g. `/headroom resolve 42`)',
  page: 'Usage: `/headroom page SERVICE MESSAGE` or `/headroom page @person MESSAGE` (e.g. `/headroom page now-playing-ranker p99 over 2 s since the deploy`)',
};

const ALIASES: Record<string, SlashCommand['kind']> = {
  oncall: 'oncall', 'on-call': 'oncall', who: 'oncall',
  incidents: 'incidents', open: 'incidents',
  ack: 'ack', acknowledge: 'ack',
  resolve: 'resolve',
  page: 'page',
  help: 'help',
};

/** Slack escapes &, < and > in command text; mentions arrive as `<@U123|name>` when the command escapes them. */
const MENTION = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/;
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

export function parseSlashCommand(text: string): SlashCommand {
  const trimmed = text.trim();
  const [first = '', ...rest] = trimmed.split(/\s+/);
  if (!first) return { kind: 'help', unknown: null };
  const kind = ALIASES[first.toLowerCase()];
  switch (kind) {
    case undefined:
      return { kind: 'help', unknown: first };
    case 'help':
      return { kind: 'help', unknown: null };
    case 'incidents':
      return { kind: 'incidents' };
    case 'oncall':
      return { kind: 'oncall', schedule: rest.length ? unescape(rest.join(' ')) : null };
    case 'ack':
    case 'resolve': {
      const id = /^#?(\d{1,9})$/.exec(rest[0] ?? '');
      if (!id || rest.length > 1) return { kind: 'usage', message: USAGE[kind] };
      return { kind, incidentId: Number(id[1]) };
    }
    case 'page': {
      const [target = '', ...words] = rest;
      const message = unescape(words.join(' ')).trim();
      if (!target || !message) return { kind: 'usage', message: USAGE.page };
      const mention = MENTION.exec(target);
      if (mention) return { kind: 'page', target: { slackUserId: mention[1], label: mention[2] || null }, message };
      if (target.startsWith('@')) {
        return { kind: 'usage', message: `${target} is not a Slack mention Headroom can read: pick the person from Slack's @-menu (the command needs "Escape channels, users, and links" on)` };
      }
      if (!SERVICE.test(target)) return { kind: 'usage', message: `${unescape(target)} is not a service name. ${USAGE.page}` };
      return { kind: 'page', target: { service: target }, message };
    }
    default:
      return { kind: 'help', unknown: null };
  }
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
