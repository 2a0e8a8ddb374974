import { SchedulerRegistry } from '@nestjs/schedule';
import express from 'express';
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../../server/src/audit/audit.service';
import { ManualClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import type { Signal, SignalHandler } from '../../server/src/common/signals';
import { signalStages } from '../../server/src/pipeline';
import { loadConfig, type AppConfig } from '../../server/src/config/config';
import { dataSourceOptions } from '../../server/src/database/data-source-options';
import { LeaseService } from '../../server/src/common/lease.service';
import { ExperimentsService } from '../../server/src/guardrails/experiments.service';
import { GuardrailEvaluator } from '../../server/src/guardrails/guardrail-evaluator.service';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import type { Actor } from '../../server/src/incidents/actor';
import { SlackCommands } from '../../server/src/notify/slack/slack-commands';
import { SlackInteractions } from '../../server/src/notify/slack/slack-interactions';
import { SlackReplayGuard } from '../../server/src/notify/slack/slack-replay-guard';
import { FetchHookHttpClient } from '../../server/src/rollback/hook-http-client';
import { ACTION_ROLLBACK_APPROVE, RollbackService } from '../../server/src/rollback/rollback.service';
import { RollbackStore } from '../../server/src/rollback/rollback-store';
import { RollbackWorker } from '../../server/src/rollback/rollback-worker';
import { RulesService } from '../../server/src/rules/rules.service';
import { ExperimentObservationsService } from '../../server/src/sources/experiments/experiment-observations.service';
import { FakeDeploy } from '../fakes/fake-deploy';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { escalationEngine, incidentWriter, oncallService, outboxService, personalPager, slackIdentity, experimentsService, changesService } from '../support/services';
import { waitFor } from '../support/headroom-process';
import { blockActionsBody, slackSignature } from '../support/slack-signature';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { silentLogger } from '../support/test-logger';
import { noEscalation } from '../support/pipeline-stages';

const ROOT = path.resolve(__dirname, '../..');
const SECRET = 'deploy-hook-secret-for-tests';
const SLACK_SECRET = 'slack-signing-secret';

const rulesYaml = (deployUrl: string) => `rollbackHooks:
  - name: deploy
    url: ${deployUrl}/rollback
    headers: { X-Team: ranking }
    body: '{"incident": {{incident.id}}, "title": "{{incident.title}}", "service": "{{service}}", "experiment": "{{experiment}}", "variant": "{{variant}}"}'
    timeout: 2s
    retries: 2
    secretEnv: DEPLOY_HOOK_SECRET
  - name: to-previous
    url: ${deployUrl}/rollback
    body: '{"service": "{{change.service}}", "to": "{{change.previousVersion}}", "from": "{{change.version}}", "change": "{{change.id}}", "kind": "{{change.kind}}"}'
    timeout: 2s
    retries: 0
    secretEnv: DEPLOY_HOOK_SECRET
  - name: flaky
    url: ${deployUrl}/flaky
    timeout: 1s
    retries: 2
    secretEnv: DEPLOY_HOOK_SECRET
rollbackPolicies:
  - { name: auto-slo, hook: deploy, trigger: { slo: { service: svc-auto } }, mode: auto, consecutiveEvaluations: 3 }
  - { name: race, hook: deploy, trigger: { slo: { service: svc-race } }, mode: auto, maxPerHour: 10 }
  - { name: approval, hook: deploy, trigger: { slo: { service: svc-approval } }, mode: approval, maxPerHour: 10 }
  - { name: dry, hook: deploy, trigger: { slo: { service: svc-dry } }, mode: dry-run }
  - { name: capped, hook: deploy, trigger: { slo: { service: svc-capped } }, mode: auto, cooldown: 10m, maxPerHour: 2 }
  - { name: flaky, hook: flaky, trigger: { slo: { service: svc-flaky } }, mode: auto }
  - { name: deploy-back, hook: to-previous, trigger: { slo: { service: svc-deployed } }, mode: auto, requireChange: deploy }
  - { name: needs-deploy, hook: to-previous, trigger: { slo: { service: svc-configured } }, mode: auto, requireChange: deploy }
  - { name: experiment, hook: deploy, trigger: { guardrail: { experiment: exp-rb, metric: skip_rate } }, mode: auto }
experiments:
  - name: exp-rb
    service: now-playing-ranker
    start: 2026-11-20T09:00:00Z
    variants:
      - { name: control, control: true, share: 0.5 }
      - { name: v2, share: 0.5 }
    guardrails:
      - { name: skip_rate, kind: proportion, direction: lower_is_better, margin: 0.02 }
    minUnitsPerVariant: 1000
`;

describe.each(databaseKinds())('rollback hooks on %s', (kind) => {
  let db: TestDatabase;
  let second: DataSource;
  let config: AppConfig;
  let rules: RulesService;
  let incidents: IncidentsService;
  let experiments: ExperimentsService;
  let observations: ExperimentObservationsService;
  let rollback: RollbackService;
  let rollbackOther: RollbackService;
  let worker: RollbackWorker;
  let workerOther: RollbackWorker;
  let slackServer: Server;
  let slackUrl = '';
  const deploy = new FakeDeploy(SECRET);
  // Bolt asks auth.test who the bot is before it handles a click.
  const fakeSlack = new FakeSlack();
  let pipeline: SignalHandler;
  const clock = new ManualClock(new Date('2026-11-25T10:30:00Z'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-rollback-alerts-'));
  const alice: Actor = { type: 'user', id: 'u-alice', name: 'alice' };

  const build = (ds: DataSource) => {
    const outbox = outboxService(ds, config);
    const audit = new AuditService(ds);
    const store = new RollbackStore(ds);
    const service = new RollbackService(ds, rules, outbox, audit, store, new IncidentStore(ds), clock, config, silentLogger, changesService(ds, clock));
    const w = new RollbackWorker(ds, store, rules, outbox, audit, experimentsService(ds, clock), new IncidentStore(ds), new FetchHookHttpClient(), clock, config, silentLogger);
    w.backoff = () => 20;
    return { service, worker: w };
  };

  beforeAll(async () => {
    await deploy.start();
    await fakeSlack.start();
    db = await openTestDatabase(kind);
    // A second "process": its own connection pool on PostgreSQL (PGlite has one session anyway).
    second = db.embedded ? db.dataSource : await new DataSource(dataSourceOptions(db.url, false)).initialize();
    fs.writeFileSync(path.join(alertsDir, 'rollback.yaml'), rulesYaml(deploy.url));
    config = loadConfig({
      HEADROOM_ALERTS_DIR: alertsDir, DEPLOY_HOOK_SECRET: SECRET, HEADROOM_SLACK_RESPONDERS: 'UALICE',
      SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_CHANNEL: 'C0PAGE', SLACK_API_URL: fakeSlack.url,
    }, ROOT);
    rules = new RulesService(config);
    incidents = new IncidentsService(db.dataSource, outboxService(db.dataSource, config), new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outboxService(db.dataSource, config), noEscalation), noEscalation, clock, silentLogger);
    ({ service: rollback, worker } = build(db.dataSource));
    pipeline = signalStages(incidents, rollback);
    ({ service: rollbackOther, worker: workerOther } = build(second));
    experiments = experimentsService(db.dataSource, clock);
    const evaluator = new GuardrailEvaluator(db.dataSource, experiments, rules, pipeline, new LeaseService(db.dataSource), new SchedulerRegistry(), clock, config, silentLogger);
    observations = new ExperimentObservationsService(experiments, evaluator, silentLogger);
    await experiments.syncDeclared(rules.experiments().map((d) => ({ spec: d.spec, file: d.file ?? '' })));
    // Slack's side: Bolt's receiver verifying signed clicks, as mounted by the app.
    // Who may click is SlackIdentityService's call: UALICE is in HEADROOM_SLACK_RESPONDERS, UBOB is nobody.
    const identity = slackIdentity(db.dataSource, config, clock);
    const outbox = outboxService(db.dataSource, config);
    const oncall = oncallService(db.dataSource, config, clock);
    const escalations = escalationEngine(db.dataSource, { outbox, oncall, config, clock, identity });
    const commands = new SlackCommands(incidents, oncall, identity, outbox, config, clock, silentLogger, escalations, personalPager(db.dataSource, outbox, identity));
    const slack = new SlackInteractions(config, commands, identity, silentLogger, new SlackReplayGuard(db.dataSource, silentLogger), rollback);
    const app = express();
    app.use(slack.guard!, slack.router!);
    slackServer = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    slackUrl = `http://127.0.0.1:${(slackServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => slackServer?.close(r));
    if (second && second !== db.dataSource) await second.destroy();
    await db?.close();
    await deploy.stop();
    await fakeSlack.stop();
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });
  beforeEach(() => deploy.reset());

  const pageSignal = (service: string, slo = 'availability'): Signal => ({
    fingerprint: `slo:${service}.${slo}:page`, status: 'firing', source: 'slo', service, title: `${service} ${slo} SLO is burning its error budget`,
    severity: 'critical', sloId: `${service}.${slo}`,
    evidence: { windowPairs: [{ severity: 'page', long: '1h', short: '5m', firing: true }, { severity: 'ticket', long: '3d', short: '6h', firing: false }] },
    at: clock.now(),
  });
  const incidentOf = async (fingerprint: string): Promise<number> =>
    Number((await db.dataSource.query(`SELECT id FROM incidents WHERE fingerprint = $1 ORDER BY id DESC LIMIT 1`, [fingerprint]))[0].id);
  const executions = (incidentId: number) => db.dataSource.query(`SELECT * FROM rollback_executions WHERE incident_id = $1 ORDER BY id`, [incidentId]);
  const timelineKinds = async (incidentId: number) =>
    (await db.dataSource.query(`SELECT kind FROM incident_timeline WHERE incident_id = $1 AND kind LIKE 'rollback.%' ORDER BY id`, [incidentId])).map((r: { kind: string }) => r.kind);
  const settle = async (id: number, statuses = ['succeeded', 'failed']) =>
    waitFor(`execution ${id} to finish`, async () => {
      await worker.drain();
      const [row] = await db.dataSource.query(`SELECT * FROM rollback_executions WHERE id = $1`, [id]);
      return statuses.includes(row.status) ? row : null;
    }, 20_000, 30);
  const click = (userId: string, username: string, executionId: number) => {
    const body = blockActionsBody({ actionId: ACTION_ROLLBACK_APPROVE, value: String(executionId), userId, username, channel: 'C0PAGE', ts: '1.000001' });
    const timestamp = Math.floor(Date.now() / 1000);
    return fetch(`${slackUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SLACK_SECRET, timestamp, body) },
      body,
    });
  };

  it('auto mode waits for the consecutive evaluations, then fires once however often the breach is evaluated', async () => {
    await pipeline.handleSignals([pageSignal('svc-auto')]);
    await pipeline.handleSignals([pageSignal('svc-auto')]);
    const incidentId = await incidentOf('slo:svc-auto.availability:page');
    expect(await executions(incidentId)).toEqual([]);
    for (let i = 0; i < 10; i++) await pipeline.handleSignals([pageSignal('svc-auto')]);
    const [queued, ...more] = await executions(incidentId);
    expect(more).toEqual([]);
    expect(queued).toMatchObject({ status: 'queued', hook: 'deploy', policy: 'auto-slo', mode: 'auto' });
    expect(queued.reason).toMatch(/breach held for 3 consecutive evaluations/);
    const done = await settle(queued.id);
    await Promise.all([worker.drain(), workerOther.drain()]);
    expect(deploy.requests).toHaveLength(1);
    const [req] = deploy.requests;
    expect(req.signatureValid).toBe(true);
    expect(req.headers['x-team']).toBe('ranking');
    expect(req.headers['idempotency-key']).toBe(`headroom-rollback-${queued.id}`);
    expect(JSON.parse(req.body)).toEqual({ incident: incidentId, title: 'svc-auto availability SLO is burning its error budget', service: 'svc-auto', experiment: '', variant: '' });
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, response_status: 202, last_error: null });
    expect(done.latency_ms).toBeGreaterThanOrEqual(0);
    expect(done.request.headers['X-Headroom-Signature']).toBe('v2=(redacted)');
    expect(JSON.stringify(done.request)).not.toContain(SECRET);
    expect(await timelineKinds(incidentId)).toEqual(['rollback.queued', 'rollback.succeeded']);
    const audit = await db.dataSource.query(`SELECT action, actor_name FROM audit_log WHERE entity_type = 'rollback_execution' AND entity_id = $1 ORDER BY id`, [String(queued.id)]);
    expect(audit).toEqual([{ action: 'rollback.queued', actor_name: 'Headroom' }, { action: 'rollback.succeeded', actor_name: 'Headroom' }]);
    // Notifying steps go through the outbox (Slack edits the page and replies in its thread).
    const outbox = await db.dataSource.query(`SELECT topic FROM outbox WHERE incident_id = $1 ORDER BY id`, [incidentId]);
    expect(outbox.map((o: { topic: string }) => o.topic)).toEqual(['incident.triggered', 'rollback.queued', 'rollback.succeeded']);
  });

  it('a rollback aims at the suspect change: the hook carries the deploy\'s previousVersion; with requireChange and no deploy it is skipped', async () => {
    const changes = changesService(db.dataSource, clock);
    const before = (min: number) => new Date(clock.now().getTime() - min * 60_000).toISOString();
    const admin = { type: 'user', id: null, name: 'ci' };
    const deployed = await changes.reportGeneric({ service: 'svc-deployed', kind: 'deploy', summary: 'svc-deployed v42', version: 'v42', previousVersion: 'v41', at: before(4) }, admin);
    await changes.reportGeneric({ service: 'svc-configured', kind: 'config', summary: 'cache TTL 5m', at: before(3) }, admin);

    await pipeline.handleSignals([pageSignal('svc-deployed')]);
    const [queued] = await executions(await incidentOf('slo:svc-deployed.availability:page'));
    expect(queued).toMatchObject({ status: 'queued', policy: 'deploy-back' });
    expect(queued.trigger).toMatchObject({ 'change.id': String(deployed.id), 'change.version': 'v42', 'change.previousVersion': 'v41' });
    await settle(queued.id);
    expect(JSON.parse(deploy.requests[0].body)).toEqual({ service: 'svc-deployed', to: 'v41', from: 'v42', change: String(deployed.id), kind: 'deploy' });

    await pipeline.handleSignals([pageSignal('svc-configured')]);
    const [skipped] = await executions(await incidentOf('slo:svc-configured.availability:page'));
    expect(skipped).toMatchObject({ status: 'skipped', policy: 'needs-deploy', reason: 'no change to roll back: policy needs-deploy requires a deploy and the latest change before it is a config (cache TTL 5m)' });
    expect(deploy.requests).toHaveLength(1);
  });

  it('two processes handling the breach and two workers draining at once: one execution, one request', async () => {
    const signal = pageSignal('svc-race');
    await incidents.handleSignals([signal]);
    const incidentId = await incidentOf(signal.fingerprint);
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? rollback : rollbackOther).handleSignals([signal])));
    const rows = await executions(incidentId);
    expect(rows).toHaveLength(1);
    await Promise.all([worker.drain(), workerOther.drain(), worker.drain(), workerOther.drain()]);
    await settle(rows[0].id);
    expect(deploy.requests).toHaveLength(1);
    // The database refuses a second execution of the same hook for the incident, whatever the code does.
    await expect(db.dataSource.query(
      `INSERT INTO rollback_executions (incident_id, hook, policy, mode, status, max_attempts, created_at) VALUES ($1, 'deploy', 'x', 'auto', 'queued', 1, now())`, [incidentId],
    )).rejects.toThrow(/uq_rollback_executions_incident_hook/);
  });

  it('approval mode waits for a responder: a signed Slack click from a non-responder is refused, a responder’s click sends', async () => {
    await pipeline.handleSignals([pageSignal('svc-approval')]);
    const incidentId = await incidentOf('slo:svc-approval.availability:page');
    const [pending] = await executions(incidentId);
    expect(pending.status).toBe('pending_approval');
    await worker.drain();
    expect(deploy.requests).toEqual([]);
    expect(await rollback.buttons(incidentId)).toEqual([expect.objectContaining({ actionId: ACTION_ROLLBACK_APPROVE, text: 'Roll back', value: String(pending.id) })]);

    // A forged click (wrong signature) never reaches the handler.
    const body = blockActionsBody({ actionId: ACTION_ROLLBACK_APPROVE, value: String(pending.id), userId: 'UALICE', username: 'alice', channel: 'C0PAGE', ts: '1.1' });
    const forged = await fetch(`${slackUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=bad' }, body });
    expect(forged.status).toBe(401);

    expect((await click('UBOB', 'bob', pending.id)).status).toBe(200);
    await waitFor('the refusal', async () => (await timelineKinds(incidentId)).includes('rollback.approval-refused'));
    expect((await executions(incidentId))[0].status).toBe('pending_approval');

    expect((await click('UALICE', 'alice', pending.id)).status).toBe(200);
    const done = await settle(pending.id);
    expect(done).toMatchObject({ status: 'succeeded', requested_by: 'alice' });
    expect(deploy.requests).toHaveLength(1);
    expect(await rollback.buttons(incidentId)).toEqual([]);
    expect(await timelineKinds(incidentId)).toEqual(['rollback.approval-requested', 'rollback.approval-refused', 'rollback.approved', 'rollback.succeeded']);
    const [approved] = await db.dataSource.query(`SELECT actor_type, actor_id, actor_name FROM incident_timeline WHERE incident_id = $1 AND kind = 'rollback.approved'`, [incidentId]);
    expect(approved).toEqual({ actor_type: 'slack', actor_id: 'UALICE', actor_name: 'alice' });
  });

  it('approval through the API; approving twice or cancelling a finished execution is a 409 with the reason', async () => {
    await pipeline.handleSignals([pageSignal('svc-approval', 'latency')]);
    const incidentId = await incidentOf('slo:svc-approval.latency:page');
    const [pending] = await executions(incidentId);
    await rollback.approve(pending.id, alice);
    await expect(rollback.approve(pending.id, alice)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/is queued, not waiting for approval/) });
    await settle(pending.id);
    await expect(rollback.cancel(pending.id, alice)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/is succeeded; only a pending approval or a queued execution can be cancelled/) });
    await expect(rollback.retry(pending.id, alice)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/already succeeded/) });
    const audit = await db.dataSource.query(`SELECT action, actor_name FROM audit_log WHERE entity_type = 'rollback_execution' AND entity_id = $1 ORDER BY id`, [String(pending.id)]);
    expect(audit.map((a: { action: string; actor_name: string }) => `${a.action}:${a.actor_name}`)).toEqual(['rollback.approval-requested:Headroom', 'rollback.approved:alice', 'rollback.succeeded:Headroom']);
    const list = await rollback.list({ sort: { field: 'id', order: 'ASC' }, offset: 0, limit: 25, filter: { incidentId } });
    expect(list).toMatchObject({ total: 1, items: [{ id: pending.id, status: 'succeeded' }] });
  });

  it('dry-run records the request it would send and sends nothing', async () => {
    await pipeline.handleSignals([pageSignal('svc-dry')]);
    const incidentId = await incidentOf('slo:svc-dry.availability:page');
    const [row] = await executions(incidentId);
    expect(row).toMatchObject({ status: 'dry_run', mode: 'dry-run', attempts: 0 });
    expect(row.request).toMatchObject({ url: `${deploy.url}/rollback`, method: 'POST', headers: { 'X-Headroom-Signature': 'v2=(redacted)' } });
    expect(JSON.parse(row.request.body)).toMatchObject({ incident: incidentId, service: 'svc-dry' });
    await worker.drain();
    expect(deploy.requests).toEqual([]);
    expect(await timelineKinds(incidentId)).toEqual(['rollback.dry-run']);
  });

  it('cooldown and the hourly cap hold across incidents of the same policy', async () => {
    const status = async (slo: string) => {
      await pipeline.handleSignals([pageSignal('svc-capped', slo)]);
      const [row] = await executions(await incidentOf(`slo:svc-capped.${slo}:page`));
      return `${row.status}${row.reason.startsWith('cooldown') ? ' (cooldown)' : row.reason.startsWith('hourly cap') ? ' (cap)' : ''}`;
    };
    expect(await status('a')).toBe('queued');
    clock.advance(5 * 60_000);
    expect(await status('b')).toBe('skipped (cooldown)');
    clock.advance(6 * 60_000);
    expect(await status('c')).toBe('queued');
    clock.advance(11 * 60_000);
    expect(await status('d')).toBe('skipped (cap)');
    clock.advance(40 * 60_000);
    // a (at 0 min) has left the hour; c (at 11 min) is still in it: 1 of 2.
    expect(await status('e')).toBe('queued');
    await Promise.all([worker.drain(), workerOther.drain()]);
    await waitFor('three rollbacks', () => deploy.requests.length === 3, 10_000);
  });

  it('a failing hook is retried with backoff, then reported failed; a manual retry is a new attempt on the same row', async () => {
    deploy.failNext(3, 503);
    await pipeline.handleSignals([pageSignal('svc-flaky')]);
    const incidentId = await incidentOf('slo:svc-flaky.availability:page');
    const [row] = await executions(incidentId);
    const failed = await settle(row.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, max_attempts: 3, response_status: 503, last_error: 'HTTP 503' });
    expect(deploy.requests).toHaveLength(3);
    expect(deploy.requests.every((r) => r.signatureValid)).toBe(true);
    expect(await timelineKinds(incidentId)).toEqual(['rollback.queued', 'rollback.attempt-failed', 'rollback.attempt-failed', 'rollback.failed']);
    const [failedLine] = await db.dataSource.query(`SELECT message FROM incident_timeline WHERE incident_id = $1 AND kind = 'rollback.failed'`, [incidentId]);
    expect(failedLine.message).toBe('Rollback hook flaky failed after 3 attempts: HTTP 503');

    await rollback.retry(row.id, alice);
    const done = await settle(row.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 4, max_attempts: 6, requested_by: 'alice', response_status: 202 });
    const [retried] = await db.dataSource.query(`SELECT actor_name, message FROM incident_timeline WHERE incident_id = $1 AND kind = 'rollback.retried'`, [incidentId]);
    expect(retried).toEqual({ actor_name: 'alice', message: 'Rollback hook flaky retried by alice (was failed)' });
  });

  it('never fires on no data or too few units; a guardrail rollback that succeeds marks the experiment rolled back', async () => {
    const variants = (units: number, control: number, treatment: number) => ({
      control: { units, metrics: { skip_rate: { successes: Math.round(control * units) } } },
      v2: { units, metrics: { skip_rate: { successes: Math.round(treatment * units) } } },
    });
    // Too few units: a large observed harm, but no verdict.
    await observations.record('exp-rb', { at: '2026-11-25T09:00:00Z', variants: variants(200, 0.3, 0.6) });
    // A no-data firing signal (which the evaluator never publishes) is refused anyway.
    await rollback.handleSignals([{ fingerprint: 'guardrail:exp-rb:v2:skip_rate', status: 'firing', source: 'guardrail', service: 'now-playing-ranker', title: 't', severity: 'critical', labels: { experiment: 'exp-rb', variant: 'v2', metric: 'skip_rate' }, evidence: { state: 'insufficient-units' }, at: clock.now() }]);
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM rollback_executions WHERE trigger->>'experiment' = 'exp-rb'`)).toEqual([{ n: 0 }]);

    await observations.record('exp-rb', { at: '2026-11-25T10:00:00Z', variants: variants(20_000, 0.3, 0.33) });
    const incidentId = await incidentOf('guardrail:exp-rb:v2:skip_rate');
    const [row] = await executions(incidentId);
    expect(row.trigger).toMatchObject({ kind: 'guardrail', experiment: 'exp-rb', variant: 'v2', metric: 'skip_rate' });
    await settle(row.id);
    expect(JSON.parse(deploy.requests[0].body)).toMatchObject({ experiment: 'exp-rb', variant: 'v2', service: 'now-playing-ranker' });
    expect((await experiments.get('exp-rb')).status).toBe('rolled_back');
    expect(await timelineKinds(incidentId)).toEqual(['rollback.queued', 'rollback.succeeded', 'rollback.experiment-rolled-back']);
    const [audit] = await db.dataSource.query(`SELECT after FROM audit_log WHERE action = 'experiment.rolled-back' AND entity_id = 'exp-rb'`);
    expect(audit.after).toMatchObject({ status: 'rolled_back' });
  });
  it('the HTTP client reports a timeout and a network error as retryable errors, never throwing', async () => {
    deploy.hang(1000);
    const client = new FetchHookHttpClient();
    const req = { url: `${deploy.url}/rollback`, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' };
    expect(await client.send(req, 100)).toEqual({ error: 'timed out after 100 ms' });
    deploy.hang(0);
    expect(await client.send({ ...req, url: 'http://127.0.0.1:9/rollback' }, 1000)).toEqual({ error: expect.stringMatching(/^network error: /) });
  });
});
