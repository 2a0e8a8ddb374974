import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeDeploy } from '../fakes/fake-deploy';
import { ChaosCluster, deliver, envNumber, sleep, writeReport, type Delivery } from './chaos-support';

/**
 * Chaos, case 2: a rollback is acted on once. Two Headroom processes on one real PostgreSQL
 * receive experiment snapshots that breach a guardrail (one auto rollback policy per
 * experiment); the deploy system refuses or resets 30% of requests and loses the answer to 10%
 * of those it acted on; one process is SIGKILLed mid-way and started again. Then each
 * (incident, hook) has one execution, the deploy system acted on exactly one idempotency key
 * for it, every request of that key carried the same body, and every execution succeeded.
 */
const EXPERIMENTS = envNumber('HEADROOM_CHAOS_EXPERIMENTS', 100);
const RATE = envNumber('HEADROOM_CHAOS_RATE', 20);
const SEED = envNumber('HEADROOM_CHAOS_SEED', Date.now() % 100_000);
const KEY = 'hk_experiments_chaos-0123456789abcdef';
const SECRET = randomBytes(16).toString('hex');

const name = (k: number) => `exp-${String(k).padStart(3, '0')}`;

describe('chaos: a rollback is acted on once (two processes, real PostgreSQL, a failing deploy system, SIGKILL)', () => {
  const deploy = new FakeDeploy(SECRET);
  let cluster: ChaosCluster;

  beforeAll(async () => {
    await deploy.start();
    deploy.failRandomly(0.3, SEED, 0.1);
    cluster = await ChaosCluster.start(writeAlerts, { HEADROOM_INTEGRATION_KEYS: `experiments:chaos:${KEY}`, CHAOS_DEPLOY_SECRET: SECRET });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await deploy.stop();
  }, 120_000);

  /** One experiment per rollback policy, each with an auto policy that fires on the first breach. */
  function writeAlerts(alertsDir: string): void {
    const names = Array.from({ length: EXPERIMENTS }, (_, k) => name(k));
    fs.writeFileSync(
      path.join(alertsDir, 'chaos.yaml'),
      [
        'experiments:',
        ...names.flatMap((n) => [
          `  - name: ${n}`, '    service: now-playing-ranker', '    start: 2026-11-20T00:00:00Z',
          '    variants: [{ name: control, control: true, share: 0.5 }, { name: treatment, share: 0.5 }]',
          '    guardrails: [{ name: skip_rate, kind: proportion, direction: lower_is_better, margin: 0.02 }]',
        ]),
        'rollbackHooks:',
        '  - name: deploy',
        `    url: ${deploy.url}/rollback`,
        '    timeout: 2s',
        '    retries: 10',
        '    secretEnv: CHAOS_DEPLOY_SECRET',
        'rollbackPolicies:',
        ...names.flatMap((n) => [`  - name: ${n}-auto`, '    hook: deploy', `    trigger: { guardrail: { experiment: ${n} } }`, '    mode: auto', '    consecutiveEvaluations: 1', '    maxPerHour: 1000']),
      ].join('\n') + '\n',
    );
  }

  it(`acts on one rollback per (incident, hook) through a kill and a restart (seed ${SEED})`, async () => {
    const started = Date.now();
    const { fleet } = cluster;
    const snapshot = (k: number) => JSON.stringify({
      at: new Date(Date.UTC(2026, 11, 2, 12, 0, k)).toISOString(),
      variants: { control: { units: 5000, metrics: { skip_rate: { successes: 1000 } } }, treatment: { units: 5000, metrics: { skip_rate: { successes: 1500 } } } },
    });
    const posts: Array<Promise<Delivery>> = [];
    const sending = (async () => {
      for (let k = 0; k < EXPERIMENTS; k++) {
        posts.push(deliver(fleet, k % 2, `/api/experiments/${name(k)}/observations`, { body: snapshot(k), headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` } }));
        await sleep(1000 / RATE);
      }
    })();
    const killing = (async () => {
      await sleep((EXPERIMENTS / RATE) * 500);
      await fleet.kill(0);
      await sleep(2000);
      await fleet.startOne(0);
    })();
    await Promise.all([sending, killing]);
    const answers = await Promise.all(posts);

    // Settled: every execution finished (a lost answer waits for its retry; a killed worker's row for its claim to lapse).
    const deadline = Date.now() + 600_000;
    let executions: Array<{ id: number; incident_id: number; hook: string; status: string; attempts: number; experiment: string }> = [];
    while (Date.now() < deadline) {
      executions = await cluster.query(`SELECT e.id, e.incident_id, e.hook, e.status, e.attempts, e.trigger->>'experiment' AS experiment FROM rollback_executions e ORDER BY e.id`);
      if (executions.length >= EXPERIMENTS && executions.every((e) => ['succeeded', 'failed'].includes(e.status))) break;
      await sleep(500);
    }

    const keysByExperiment = new Map<string, Set<string>>();
    for (const [key, request] of deploy.acted) {
      const experiment = String(JSON.parse(request.body).experiment);
      keysByExperiment.set(experiment, new Set([...(keysByExperiment.get(experiment) ?? []), key]));
    }
    const bodiesByKey = new Map<string, Set<string>>();
    for (const r of deploy.requests.filter((r) => r.signatureValid)) {
      const key = String(r.headers['idempotency-key']);
      bodiesByKey.set(key, new Set([...(bodiesByKey.get(key) ?? []), r.body]));
    }
    const perIncidentHook = new Map<string, number>();
    for (const e of executions) perIncidentHook.set(`${e.incident_id}/${e.hook}`, (perIncidentHook.get(`${e.incident_id}/${e.hook}`) ?? 0) + 1);

    const report = {
      seed: SEED, experiments: EXPERIMENTS, accepted: answers.filter((a) => a.status !== null).length, executions: executions.length,
      answers: answers.flatMap((a) => a.answers).reduce<Record<string, number>>((acc, a) => ({ ...acc, [String(a)]: (acc[String(a)] ?? 0) + 1 }), {}),
      succeeded: executions.filter((e) => e.status === 'succeeded').length, requests: deploy.requests.length, acted: deploy.acted.size,
      maxAttempts: Math.max(...executions.map((e) => e.attempts)), seconds: Math.round((Date.now() - started) / 1000),
    };
    writeReport('chaos-rollback-once', report);
    if (report.succeeded !== EXPERIMENTS) console.log(JSON.stringify({ report, executions: executions.filter((e) => e.status !== 'succeeded') }, null, 2), fleet.output().slice(-20_000));

    expect(answers.filter((a) => a.status === null)).toEqual([]);
    expect(executions).toHaveLength(EXPERIMENTS);
    expect([...perIncidentHook.values()].every((n) => n === 1)).toBe(true);
    expect(executions.filter((e) => e.status !== 'succeeded')).toEqual([]);
    // Exactly one acted-on request per (incident, hook): one key per experiment, acted on once.
    expect(keysByExperiment.size).toBe(EXPERIMENTS);
    expect([...keysByExperiment.entries()].filter(([, keys]) => keys.size !== 1)).toEqual([]);
    // The key and what it asks for are the same on every attempt, whichever process sent it.
    expect([...bodiesByKey.entries()].filter(([, bodies]) => bodies.size !== 1)).toEqual([]);
    expect(deploy.requests.every((r) => r.signatureValid)).toBe(true);
  }, 20 * 60_000);
});
