import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeSlack } from '../fakes/fake-slack';
import { FakeTwilio } from '../fakes/fake-twilio';
import { REPO_ROOT, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';
import { inboundSms, postTwilioWebhook } from '../support/twilio-webhook';

/**
 * A page that reaches a person beyond Slack, in the built server with the real Twilio senders
 * talking to a fake Twilio (REST API, basic auth, form bodies) and Slack to a fake Slack:
 * Alice's rules say "Slack DM and SMS at once, a call after 5 minutes" (time runs 60×). Her reply
 * to the SMS, signed as Twilio signs it, acknowledges the incident and the call is never placed;
 * a forged reply does nothing. When Slack refuses her DM for good, the SMS reaches her at once.
 * The deploy recorded just before is on the page and the timeline as the suspect.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const PUBLIC_URL = 'https://headroom.example.com';
const ALICE_PHONE = '+15005550001';
const ALERTS = `service: now-playing-ranker
escalationPolicies:
  - name: reach
    steps:
      - notify: { users: [alice@example.com] }
        wait: 30m
routes:
  - name: reach
    match: ['service="now-playing-ranker"']
    escalationPolicy: reach
`;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('paging beyond Slack (real process, embedded database, real Twilio senders against a fake Twilio)', () => {
  const slack = new FakeSlack();
  const twilio = new FakeTwilio();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-reach-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-reach-alerts-'));
  let app: HeadroomProcess;
  let alice: Json;
  let methods: { sms: number; voice: number };

  beforeAll(async () => {
    await slack.start();
    await twilio.start();
    fs.writeFileSync(path.join(alertsDir, 'reach.yaml'), ALERTS);
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks'),
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_TIME_SCALE: '60',
      HEADROOM_ESCALATION_INTERVAL_SECONDS: '1',
      HEADROOM_OUTBOX_POLL_MS: '100',
      HEADROOM_PUBLIC_URL: PUBLIC_URL,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'reach-signing-secret',
      SLACK_CHANNEL: 'C0PAGES',
      SLACK_API_URL: slack.url,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_URL: twilio.url,
    });
    alice = await json(call('/api/users', { method: 'POST', body: JSON.stringify({ email: 'alice@example.com', name: 'Alice', role: 'responder', slackUserId: 'U0ALICE' }) }));
    const sms = await json(call(`/api/users/${alice.id}/contact-methods`, { method: 'POST', body: JSON.stringify({ kind: 'sms', address: ALICE_PHONE, label: 'mobile' }) }));
    const voice = await json(call(`/api/users/${alice.id}/contact-methods`, { method: 'POST', body: JSON.stringify({ kind: 'voice', address: ALICE_PHONE, label: 'mobile' }) }));
    methods = { sms: sms.id, voice: voice.id };
    const rules = { high: [{ method: 'slack', delaySeconds: 0 }, { method: sms.id, delaySeconds: 0 }, { method: voice.id, delaySeconds: 300 }], low: [{ method: 'slack', delaySeconds: 0 }] };
    expect((await call(`/api/users/${alice.id}/notification-rules`, { method: 'PUT', body: JSON.stringify(rules) })).status).toBe(200);
  });

  afterAll(async () => {
    await app?.stop();
    await slack.stop();
    await twilio.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  function call(p: string, init: RequestInit = {}) {
    return fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' } });
  }
  async function json(res: Promise<Response>): Promise<Json> {
    return (await (await res).json()) as Json;
  }
  const openIncident = (title: string) => json(call('/api/incidents', { method: 'POST', body: JSON.stringify({ title, service: 'now-playing-ranker', severity: 'critical' }) }));
  const timeline = async (id: number): Promise<string[]> => (await json(call(`/api/incidents/${id}`))).timeline.map((t: Json) => t.message);
  const smsTo = (incidentId: number) => twilio.creates('Messages.json').filter((r) => r.form.get('To') === ALICE_PHONE && String(r.form.get('Body')).includes(`#${incidentId}`));
  const reply = (body: string, signature?: string | null) =>
    postTwilioWebhook(app.url, '/api/integrations/twilio/sms', inboundSms(ALICE_PHONE, '+15005550006', body, twilio.accountSid), { authToken: twilio.authToken, publicUrl: PUBLIC_URL, signature });

  it('pages by Slack DM and SMS at once; her SMS reply acknowledges, and the call due 5 minutes later is never placed', async () => {
    // A deploy just before: the page and the timeline name it as the suspect.
    const deploy = { service: 'now-playing-ranker', kind: 'deploy', summary: 'ranker v42', version: 'v42', previousVersion: 'v41' };
    expect((await call('/api/integrations/changes', { method: 'POST', body: JSON.stringify(deploy) })).status).toBe(201);
    const incident = await openIncident('ranker down');
    const page = await waitFor('the page in the channel', () => slack.messages.find((m) => m.channel === 'C0PAGES' && !m.thread_ts), 15_000, 50);
    expect(JSON.stringify(page.blocks)).toContain(':mag: *Suspect:* deploy now-playing-ranker v42, under a minute before: ranker v42');
    expect(await timeline(incident.id)).toContain('Suspect change: deploy now-playing-ranker v42, under a minute before: ranker v42');
    await waitFor('the Slack DM', () => slack.directMessagesTo('U0ALICE').length > 0, 15_000, 50);
    const [sms] = await waitFor('the SMS', () => (smsTo(incident.id).length ? smsTo(incident.id) : null), 15_000, 50);
    expect(sms.form.get('Body')).toMatch(/now-playing-ranker/);
    const code = /Reply (\d{4,6})/.exec(String(sms.form.get('Body')))?.[1];
    expect(code).toBeDefined();

    // A forged signature is refused and acknowledges nothing; a wrong code does nothing.
    expect((await reply(`ACK ${code}`, 'forged')).status).toBe(403);
    const wrong = await reply('ACK 0000');
    expect(await wrong.text()).toContain('<Message>no open page with this code was sent to this number</Message>');
    expect((await json(call(`/api/incidents/${incident.id}`))).status).toBe('triggered');

    const ack = await reply(`ack ${code}`);
    expect(ack.status).toBe(200);
    expect(ack.headers.get('content-type')).toMatch(/text\/xml/);
    expect(await ack.text()).toMatch(/<Message>Acknowledged #\d+/);
    const detail = await json(call(`/api/incidents/${incident.id}`));
    expect(detail).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Alice' });

    // Five minutes of Headroom's time (5 s at 60×) and more: the call is skipped, never placed.
    await waitFor('the call skipped', async () => (await timeline(incident.id)).some((m) => /Skipped the call to Alice/i.test(m)), 20_000, 100);
    expect(twilio.creates('Calls.json')).toHaveLength(0);
    const sends = await json(call(`/api/incidents/${incident.id}/contact-sends`));
    expect((sends as unknown as Json[]).map((s) => [s.kind, s.status])).toEqual(expect.arrayContaining([['sms', 'sent'], ['voice', 'skipped']]));
  });

  it('reaches her by SMS at once when Slack refuses her DM for good, and says so on the timeline', async () => {
    const rules = { high: [{ method: 'slack', delaySeconds: 0 }, { method: methods.voice, delaySeconds: 3600 }], low: [{ method: 'slack', delaySeconds: 0 }] };
    expect((await call(`/api/users/${alice.id}/notification-rules`, { method: 'PUT', body: JSON.stringify(rules) })).status).toBe(200);
    slack.failChannel('U0ALICE', 'channel_not_found');
    const incident = await openIncident('ranker down again');
    const [sms] = await waitFor('the fallback SMS', () => (smsTo(incident.id).length ? smsTo(incident.id) : null), 30_000, 50);
    expect(sms.form.get('To')).toBe(ALICE_PHONE);
    expect(await timeline(incident.id)).toEqual(expect.arrayContaining([expect.stringMatching(/^Slack failed \(channel_not_found\): falling back to .*SMS.* for Alice/)]));
    slack.healChannel('U0ALICE');
  });
});
