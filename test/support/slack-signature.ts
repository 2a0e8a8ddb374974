import { createHmac } from 'node:crypto';

/** Signs a request body the way Slack does: v0=HMAC-SHA256(secret, "v0:<ts>:<body>"). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** A block_actions payload as Slack posts it when someone clicks a button in a message. */
export function blockActionsBody(opts: {
  actionId: string; value: string; userId: string; username: string; channel: string; ts: string;
  /** Where Bolt's respond() posts (default: a closed port). */
  responseUrl?: string;
  /** A choice in a static_select (the Snooze menu) instead of a button click. */
  selected?: boolean;
}): string {
  const action = opts.selected
    ? { type: 'static_select', action_id: opts.actionId, block_id: 'incident-menu', selected_option: { text: { type: 'plain_text', text: 'x' }, value: opts.value }, action_ts: String(Date.now() / 1000) }
    : { type: 'button', action_id: opts.actionId, block_id: `incident-${opts.value}`, value: opts.value, text: { type: 'plain_text', text: 'x' }, action_ts: String(Date.now() / 1000) };
  const payload = {
    type: 'block_actions',
    user: { id: opts.userId, username: opts.username, name: opts.username, team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: opts.ts, channel_id: opts.channel, is_ephemeral: false },
    trigger_id: '1.2.3',
    team: { id: 'T0001', domain: 'example' },
    channel: { id: opts.channel, name: 'oncall' },
    message: { type: 'message', ts: opts.ts, text: 'page' },
    response_url: opts.responseUrl ?? 'http://127.0.0.1:9/response',
    actions: [action],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** A slash command as Slack posts it (form fields, not a JSON payload). */
export function slashCommandBody(opts: { text: string; userId: string; username: string; channel: string; responseUrl: string; command?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0001',
    team_domain: 'example',
    channel_id: opts.channel,
    channel_name: 'oncall',
    user_id: opts.userId,
    user_name: opts.username,
    command: opts.command ?? '/headroom',
    text: opts.text,
    api_app_id: 'A0001',
    response_url: opts.responseUrl,
    trigger_id: '1.2.3',
  }).toString();
}

/** POSTs a body to /slack/events signed as Slack signs it (or with another secret or time, to forge it). */
export function postSlackEvent(baseUrl: string, body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): Promise<Response> {
  return fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(secret, timestamp, body) },
    body,
  });
}
