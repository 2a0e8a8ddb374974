import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeDeploy } from '../fakes/fake-deploy';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';
import { blockActionsBody, slackSignature } from '../support/slack-signature';

/**
 * Rollback hooks in the built server: a guardrail breach that holds for two evaluations fires an
 * auto policy once (signed request to a fake deploy system, the experiment marked rolled back,
 * the steps in the Slack thread); an approval policy puts a Roll back button on the page and a
 * signed click by a responder sends the request.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const HOOK_SECRET = 'e2e-deploy-hook-secret';
const SLACK_SECRET = 'e2e-signing-secret';
const CHANNEL = 'C0ONCALL';

const experiment = (name: string) => `  - name: ${name}
    service: now-playing-ranker
    start: 2026-11-20T09:00:00Z
    variants:
      - { name: control, control: true, share: 0.5 }
      - { name: v2, share: 0.5 }
    guardrails:
      - { name: skip_rate, kind: proportion, direction: lower_is_better, margin: 0.02 }
`;
const rules = (deployUrl: string) => `experiments:
${experiment('exp-auto')}${experiment('exp-approval')}
rollbackHooks:
  - name: deploy
    url: ${deployUrl}/rollback
    body: '{"experiment": "{{experiment}}", "variant": "{{variant}}", "incident": {{incident.id}}}'
    timeout: 5s
    secretEnv: DEPLOY_HOOK_SECRET
rollbackPolicies:
  - { name: auto, hook: deploy, trigger: { guardrail: { experiment: exp-auto } }, mode: auto, consecutiveEvaluations: 2 }
  - { name: approval, hook: deploy, trigger: { guardrail: { experiment: exp-approval } }, mode: approval }
`;

const snapshot = (at: string, units: number) => ({
  at,
  variants: {
    control: { units, metrics: { skip_rate: { successes: Math.round(0.3 * units) } } },
    v2: { units, metrics: { skip_rate: { successes: Math.round(0.34 * units) } } },
  },
});

describe.each(databaseKinds())('rollback hooks (real process, %s)', (kind) => {
  const slack = new FakeSlack();
  const deploy = new FakeDeploy(HOOK_SECRET);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-rollback-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-rollback-alerts-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;

  beforeAll(async () => {
    await slack.start();
    await deploy.start();
    fs.writeFileSync(path.join(alertsDir, 'rollback.yaml'), rules(deploy.url));
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_OUTBOX_POLL_MS: '100',
      DEPLOY_HOOK_SECRET: HOOK_SECRET,
      HEADROOM_SLACK_RESPONDERS: 'U0ALICE',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_CHANNEL: CHANNEL,
      SLACK_API_URL: slack.url,
      ...(db ? { DATABASE_URL: db.url } : {}),
    });
  });

  afterAll(async () => {
    await app?.stop();
    await slack.stop();
    await deploy.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  const request = (p: string, init: RequestInit = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const get = async (p: string): Promise<any> => (await request(p)).json();
  const observe = (id: string, body: unknown) => request(`/api/experiments/${id}/observations`, { method: 'POST', body: JSON.stringify(body) });
  const filter = (f: unknown) => encodeURIComponent(JSON.stringify(f));
  const incidentOf = async (id: string): Promise<number | undefined> =>
    (await get(`/api/incidents?filter=${filter({ source: 'guardrail' })}&range=[0,99]`)).find((i: { fingerprint: string }) => i.fingerprint === `guardrail:${id}:v2:skip_rate`)?.id;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const executionsOf = async (incidentId: number): Promise<any[]> => get(`/api/rollback-executions?filter=${filter({ incidentId })}`);

  it('lists hooks and policies the react-admin way, without header values or the secret', async () => {
    const res = await request('/api/rollback-hooks');
    expect(res.headers.get('content-range')).toBe('rollback-hooks 0-0/1');
    const [hook] = (await res.json()) as Array<Record<string, unknown>>;
    expect(hook).toMatchObject({ id: 'deploy', method: 'POST', retries: 3, timeoutMs: 5000, secretEnv: 'DEPLOY_HOOK_SECRET', secretSet: true });
    expect(JSON.stringify(hook)).not.toContain(HOOK_SECRET);
    const policies = await get('/api/rollback-policies');
    expect(policies.map((p: { id: string; mode: string }) => `${p.id}:${p.mode}`)).toEqual(['approval:approval', 'auto:auto']);
  });

  it('auto: fires once the breach held for two evaluations, marks the experiment rolled back, and says so in the Slack thread', async () => {
    expect((await observe('exp-auto', snapshot('2026-11-25T10:00:00Z', 20_000))).status).toBe(201);
    const incidentId = (await waitFor('the guardrail incident', () => incidentOf('exp-auto')))!;
    expect(await executionsOf(incidentId)).toEqual([]);
    expect((await observe('exp-auto', snapshot('2026-11-25T11:00:00Z', 22_000))).status).toBe(201);
    const [done] = await waitFor('the rollback', async () => {
      const list = await executionsOf(incidentId);
      return list[0]?.status === 'succeeded' ? list : null;
    });
    expect(done).toMatchObject({ hook: 'deploy', policy: 'auto', attempts: 1, responseStatus: 202 });
    expect(deploy.requests).toHaveLength(1);
    expect(deploy.requests[0].signatureValid).toBe(true);
    expect(JSON.parse(deploy.requests[0].body)).toEqual({ experiment: 'exp-auto', variant: 'v2', incident: incidentId });
    expect((await get('/api/experiments/exp-auto')).status).toBe('rolled_back');
    // More evaluations of the breach change nothing.
    await observe('exp-auto', snapshot('2026-11-25T12:00:00Z', 24_000));
    expect(await executionsOf(incidentId)).toHaveLength(1);
    await waitFor('the thread line', () => slack.callsTo('chat.postMessage').some((c) => c.body.thread_ts && String(c.body.text).startsWith('Rollback hook deploy succeeded')));
    expect(deploy.requests).toHaveLength(1);
  });

  it('approval: the page gets a Roll back button, a responder’s signed click sends, a second approval is a 409', async () => {
    await observe('exp-approval', snapshot('2026-11-25T10:00:00Z', 20_000));
    const incidentId = (await waitFor('the guardrail incident', () => incidentOf('exp-approval')))!;
    const [pending] = await waitFor('the pending approval', async () => {
      const list = await executionsOf(incidentId);
      return list[0]?.status === 'pending_approval' ? list : null;
    });
    const page = await waitFor('the Roll back button on the page', () =>
      slack.messages.find((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes('x.rollback.approve') && JSON.stringify(m.blocks).includes(`"value":"${pending.id}"`)));
    expect(deploy.requests).toHaveLength(1); // only the auto test's

    const body = blockActionsBody({ actionId: 'x.rollback.approve', value: String(pending.id), userId: 'U0ALICE', username: 'alice', channel: CHANNEL, ts: page.ts });
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await fetch(`${app.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SLACK_SECRET, timestamp, body) },
      body,
    });
    expect(res.status).toBe(200);
    const [done] = await waitFor('the approved rollback', async () => {
      const list = await executionsOf(incidentId);
      return list[0]?.status === 'succeeded' ? list : null;
    });
    expect(done.requestedBy).toBe('alice');
    expect(deploy.requests).toHaveLength(2);
    await waitFor('the button gone', () => !JSON.stringify(slack.messages.find((m) => m.ts === page.ts)?.blocks ?? []).includes('x.rollback.approve'));
    const again = await request(`/api/rollback-executions/${pending.id}/approve`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toMatch(/is succeeded, not waiting for approval/);
    const timeline = (await get(`/api/incidents/${incidentId}`)).timeline.map((t: { kind: string; actorName: string }) => `${t.kind}:${t.actorName}`);
    expect(timeline).toEqual(expect.arrayContaining(['rollback.approval-requested:Headroom', 'rollback.approved:alice', 'rollback.succeeded:Headroom', 'rollback.experiment-rolled-back:Headroom']));
  });
});
