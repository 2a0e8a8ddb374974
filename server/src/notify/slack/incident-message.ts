import type { Button, KnownBlock, StaticSelect } from '@slack/types';
import type { IncidentButton } from '../../common/incident-actions';
import type { Incident } from '../../incidents/incident.entity';
import { escapeMrkdwn } from './mrkdwn';
import { describeChange, type ChangeOnIncident } from '../../changes/incident-changes';

export const ACTION_ACKNOWLEDGE = 'incident.acknowledge';
export const ACTION_RESOLVE = 'incident.resolve';
export const ACTION_ESCALATE = 'incident.escalate';
export const ACTION_SNOOZE = 'incident.snooze';

/** The Snooze menu's choices; an option's value is `<incident id>:<seconds>`. */
export const SNOOZE_CHOICES: ReadonlyArray<{ label: string; seconds: number }> = [
  { label: '30 min', seconds: 1_800 },
  { label: '1 h', seconds: 3_600 },
  { label: '4 h', seconds: 14_400 },
];

/** A Snooze menu choice back to what it means; null for anything the menu does not offer. */
export function parseSnoozeChoice(value: string): { incidentId: number; seconds: number } | null {
  const m = /^(\d+):(\d+)$/.exec(value);
  if (!m || !SNOOZE_CHOICES.some((c) => c.seconds === Number(m[2]))) return null;
  return { incidentId: Number(m[1]), seconds: Number(m[2]) };
}

export interface MessageLinks {
  incidentUrl: string;
  runbookUrl: string | null;
}

const SEVERITY_ICON: Record<string, string> = { critical: ':red_circle:', error: ':large_orange_circle:', warning: ':large_yellow_circle:', info: ':large_blue_circle:' };
const STATUS_TEXT: Record<string, string> = { triggered: '*Triggered*', acknowledged: '*Acknowledged*', snoozed: '*Snoozed*', resolved: '*Resolved*' };

function formatBurnRates(evidence: Record<string, unknown>): string | null {
  const burn = evidence.burnRates as Record<string, number | null> | undefined;
  if (!burn) return null;
  const parts = Object.entries(burn)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([w, v]) => `${w}: ${(v as number).toFixed(1)}×`);
  return parts.length ? parts.join(' · ') : null;
}

/** Latency of a latency SLO over a recent window, read when the message is rendered. */
export interface LatencyNow {
  window: string;
  thresholdSeconds: number | null;
  quantiles: Array<{ q: number; value: number | null }>;
}

function formatSeconds(s: number): string {
  return s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(s < 0.01 ? 1 : 0)} ms`;
}

function formatLatency(latency: LatencyNow): string | null {
  const parts = latency.quantiles.filter((q) => q.value !== null).map((q) => `p${Math.round(q.q * 1000) / 10}: ${formatSeconds(q.value!)}`);
  if (!parts.length) return null;
  return `${parts.join(' · ')}${latency.thresholdSeconds !== null ? ` (threshold ${formatSeconds(latency.thresholdSeconds)})` : ''}`;
}

/** A guardrail breach in one line: the metric in both arms, the change, the margin and the test. */
function formatGuardrail(e: Record<string, unknown>): string | null {
  if (typeof e.metric !== 'string' || typeof e.controlMean !== 'number' || typeof e.treatmentMean !== 'number') return null;
  const fmt = (x: number) => (Math.abs(x) < 10 ? x.toFixed(4) : x.toFixed(1));
  const rel = typeof e.relativeDifference === 'number' ? ` (${e.relativeDifference >= 0 ? '+' : ''}${(e.relativeDifference * 100).toFixed(1)}%)` : '';
  const p = typeof e.pValue === 'number' ? `, p = ${e.pValue < 0.0001 ? e.pValue.toExponential(1) : e.pValue.toFixed(4)}` : '';
  const srm = (e.srm as { trustworthy?: boolean } | undefined)?.trustworthy === false ? ' :warning: sample ratio mismatch: untrustworthy' : '';
  return `${e.metric}: ${e.variant ?? 'treatment'} ${fmt(e.treatmentMean)} vs ${e.control ?? 'control'} ${fmt(e.controlMean)}${rel}, margin ${e.margin}${p}${srm}`;
}

/** A ticket's condition ended: when, and the timeline's words for it. */
export interface EndedNote {
  at: Date;
  message: string;
}

/**
 * The page as Slack Block Kit. The same function renders the first post and every later
 * `chat.update`, so the message always shows the incident's current state; buttons disappear
 * once they no longer apply. A ticket (urgency ticket) is marked as one and, once its condition
 * ended (`ended`) or it was resolved, says so and when.
 */
export function renderIncidentMessage(
  incident: Incident,
  links: MessageLinks,
  opts: { escalating?: boolean; extra?: IncidentButton[]; latency?: LatencyNow | null; paged?: string[]; ended?: EndedNote | null; changes?: ChangeOnIncident[] } = {},
): { text: string; blocks: KnownBlock[] } {
  const extra = opts.extra ?? [];
  const ticket = incident.urgency === 'ticket';
  const icon = ticket ? ':ticket:' : (SEVERITY_ICON[incident.severity] ?? ':red_circle:');
  const ended = ticket ? (opts.ended ?? null) : null;
  const state = incident.status === 'resolved' ? '[Resolved] ' : ended ? '[Ended] ' : '';
  // The fallback text is mrkdwn too (notifications, screen readers): escaped like the blocks.
  const text = `${state}${ticket ? 'TICKET' : incident.severity.toUpperCase()}: ${escapeMrkdwn(incident.title)} (${escapeMrkdwn(incident.service)})`;
  const evidence = incident.evidence ?? {};
  const fields: string[] = [`*Service*\n${escapeMrkdwn(incident.service)}`, `*Status*\n${STATUS_TEXT[incident.status] ?? incident.status}`];
  if (incident.sloId) fields.push(`*SLO*\n${escapeMrkdwn(incident.sloId)}${evidence.objective ? ` (${(Number(evidence.objective) * 100).toFixed(2)}%)` : ''}`);
  const burn = formatBurnRates(evidence);
  if (burn) fields.push(`*Burn rates*\n${burn}`);
  if (typeof evidence.budgetRemaining === 'number') fields.push(`*Error budget left*\n${(evidence.budgetRemaining * 100).toFixed(1)}%`);
  const latency = opts.latency ? formatLatency(opts.latency) : null;
  if (latency && opts.latency) fields.push(`*Latency (${opts.latency.window})*\n${latency}`);
  const guardrail = incident.source === 'guardrail' ? formatGuardrail(evidence) : null;
  if (guardrail) fields.push(`*Guardrail*\n${escapeMrkdwn(guardrail)}`);
  if (opts.paged?.length) fields.push(`*Paged*\n${escapeMrkdwn(opts.paged.join(', '))}`);
  else if (incident.assignee) fields.push(`*Assignee*\n${escapeMrkdwn(incident.assignee)}`);
  if (incident.status === 'snoozed' && incident.snoozedUntil) {
    const until = new Date(incident.snoozedUntil);
    fields.push(`*Snoozed until*\n${slackDate(until)}`);
  }
  if (incident.acknowledgedBy) fields.push(`*Acknowledged by*\n${escapeMrkdwn(incident.acknowledgedBy)}`);
  if (incident.resolvedBy) fields.push(`*Resolved by*\n${escapeMrkdwn(incident.resolvedBy)}${ticket && incident.resolvedAt ? ` ${slackDate(new Date(incident.resolvedAt))}` : ''}`);

  const linkLine = [`<${links.incidentUrl}|Incident #${incident.id}>`, links.runbookUrl ? `<${links.runbookUrl}|Runbook>` : null]
    .filter(Boolean)
    .join('  ·  ');

  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${ticket ? 'Ticket: ' : ''}${escapeMrkdwn(incident.title)}*${ticket ? '\nA ticket: nobody is paged; look at it in working hours.' : ''}` } },
    { type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn' as const, text: f })) },
  ];
  const changes = opts.changes ?? [];
  if (changes.length > 0) {
    // What changed just before: the first thing a responder checks, the suspect first.
    const lines = changes.slice(0, 3).map((c) => `${c.suspect ? ':mag: *Suspect:* ' : '• '}${escapeMrkdwn(describeChange(c))}${c.link ? ` <${c.link}|link>` : ''}`);
    if (changes.length > 3) lines.push(`… and ${changes.length - 3} more on the incident page`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Changes before*\n${lines.join('\n')}` } });
  }
  if (ended) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: *Ended* ${slackDate(new Date(ended.at))}: ${escapeMrkdwn(ended.message)}` } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: linkLine }] });
  const buttons: Button[] = [];
  if (incident.status === 'triggered') {
    buttons.push({ type: 'button' as const, action_id: ACTION_ACKNOWLEDGE, text: { type: 'plain_text' as const, text: 'Acknowledge' }, style: 'primary' as const, value: String(incident.id) });
  }
  if (incident.status !== 'resolved') {
    buttons.push({ type: 'button' as const, action_id: ACTION_RESOLVE, text: { type: 'plain_text' as const, text: 'Resolve' }, value: String(incident.id) });
    // Buttons of later stages (Roll back while an approval is pending), shown while it is open.
    for (const b of extra) {
      buttons.push({
        type: 'button',
        action_id: b.actionId,
        text: { type: 'plain_text', text: b.text },
        value: b.value,
        ...(b.style ? { style: b.style } : {}),
        ...(b.confirm
          ? { confirm: { title: { type: 'plain_text', text: b.confirm.title }, text: { type: 'plain_text', text: b.confirm.text }, confirm: { type: 'plain_text', text: b.confirm.confirm }, deny: { type: 'plain_text', text: b.confirm.deny } } }
          : {}),
      });
    }
  }
  // Only while an escalation policy runs for it: the next step, now.
  if (incident.status === 'triggered' && opts.escalating) {
    buttons.push({ type: 'button' as const, action_id: ACTION_ESCALATE, text: { type: 'plain_text' as const, text: 'Escalate' }, value: String(incident.id) });
  }
  const elements: Array<Button | StaticSelect> = [...buttons];
  if (incident.status !== 'resolved') elements.push(snoozeMenu(incident.id));
  if (elements.length) blocks.push({ type: 'actions', block_id: `incident-${incident.id}`, elements });
  return { text, blocks };
}

function snoozeMenu(incidentId: number): StaticSelect {
  return {
    type: 'static_select',
    action_id: ACTION_SNOOZE,
    placeholder: { type: 'plain_text', text: 'Snooze' },
    options: SNOOZE_CHOICES.map((c) => ({ text: { type: 'plain_text' as const, text: c.label }, value: `${incidentId}:${c.seconds}` })),
  };
}

/** A time Slack shows in each reader's own time zone (the ISO time where it cannot). */
export function slackDate(d: Date): string {
  return `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${d.toISOString()}>`;
}

