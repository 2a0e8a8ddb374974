import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRules } from './rules-loader';
import { RulesError, formatProblem } from './yaml-source';

describe('loadRules', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  const problems = (exists: (f: string) => boolean = () => true) => {
    try {
      loadRules(dir, exists);
    } catch (err) {
      if (err instanceof RulesError) return err.problems.map((p) => formatProblem({ ...p, file: path.basename(p.file) }));
      throw err;
    }
    return [];
  };

  it('loads the shipped alerts folder', () => {
    const rules = loadRules(path.resolve(__dirname, '../../../alerts'), () => true);
    expect(rules.slos.map((s) => s.id)).toContain('now-playing-ranker.availability');
    const latency = rules.slos.find((s) => s.id === 'feature-store.latency')!;
    expect(latency.sli).toEqual({ kind: 'latency', source: 'simulator', thresholdSeconds: 0.25 });
    expect(latency.periodSeconds).toBe(30 * 86400);
  });

  it('loads the shipped dependencies: the ranker depends on the three services it calls, links wait 15m', () => {
    const { inhibition } = loadRules(path.resolve(__dirname, '../../../alerts'), () => true);
    expect(inhibition.dependsOn.get('now-playing-ranker')).toEqual(['candidate-retrieval', 'feature-store', 'model-serving']);
    expect(inhibition.windowSeconds).toBe(900);
    expect(inhibition.pageAtBurnRatio).toBe(4);
  });

  it('loads inhibitRules, dependsOn and dependencyLinks, and names file, line and field of what is wrong', () => {
    write('routes.yaml', 'inhibitRules:\n  - sourceMatchers: [\'severity="critical"\']\n    targetMatchers: [\'severity="warning"\']\n    equal: [service]\ndependencyLinks:\n  window: 5m\n');
    write('ranker.yaml', 'service: ranker\ndependsOn: [feature-store]\n');
    const { inhibition } = loadRules(dir, () => true);
    expect(inhibition.rules).toHaveLength(1);
    expect(inhibition.rules[0]).toMatchObject({ equal: ['service'], index: 0, sourceMatchers: [{ name: 'severity', value: 'critical', isRegex: false, isEqual: true }] });
    expect(inhibition.dependsOn.get('ranker')).toEqual(['feature-store']);
    expect(inhibition.windowSeconds).toBe(300);

    write('routes.yaml', 'inhibitRules:\n  - sourceMatchers: [\'severity\']\n    targetMatchers: []\n    equals: [service]\ndependencyLinks:\n  window: soon\n  pageAtBurnRatio: 1\n');
    write('ranker.yaml', 'service: ranker\ndependsOn: [ranker, Feature_Store]\n');
    write('other.yaml', 'dependsOn: [feature-store]\ndependencyLinks: {}\n');
    expect(problems().sort()).toEqual([
      'other.yaml:1: service: required when the file has dependsOn',
      'ranker.yaml:2: dependsOn.1: must be a service name (lowercase letters, digits and dashes)',
      'ranker.yaml:2: dependsOn: ranker cannot depend on itself',
      'routes.yaml:2: inhibitRules.0.sourceMatchers.0: "severity" is not a matcher: write label="value", label!="value", label=~"regex" or label!~"regex"',
      'routes.yaml:3: inhibitRules.0.targetMatchers: needs at least one matcher (an empty list would inhibit every incident)',
      'routes.yaml:4: inhibitRules.0.equals: unknown field',
      'routes.yaml:6: dependencyLinks.window: must be a duration such as 5m, 15m or 1h',
      'routes.yaml:7: dependencyLinks.pageAtBurnRatio: must be above 1',
    ]);
  });

  it('refuses dependencyLinks in two files', () => {
    write('a.yaml', 'dependencyLinks: { window: 5m }\n');
    write('b.yaml', 'dependencyLinks: { window: 10m }\n');
    expect(problems()).toEqual([expect.stringMatching(/^b\.yaml:1: dependencyLinks: defined twice \(also in .*a\.yaml\); keep one$/)]);
  });

  it('reports every problem of every file with file, line and field', () => {
    write('a.yaml', 'service: a\nslos:\n  - name: availability\n    objective: 1.5\n    sli: { kind: events, source: simulator }\n    runbook: a.md\n    colour: red\n');
    write('b.yaml', 'service: b\nslos:\n  - name: latency\n    objective: 0.99\n    period: 1d\n    sli: { kind: latency, source: simulator, threshold: fast }\n    runbook: b.md\n');
    expect(problems().sort()).toEqual([
      'a.yaml:4: slos.0.objective: must be below 1 (e.g. 0.999)',
      'a.yaml:7: slos.0.colour: unknown field',
      'b.yaml:5: slos.0.period: must be at least 3d for the default alert windows (or set alerting.windows)',
      'b.yaml:6: slos.0.sli.threshold: must be seconds (0.25) or a duration such as 250ms',
    ]);
  });

  it('refuses alerting that leaves no window pair (it could never fire, and would stop every evaluation)', () => {
    write(
      'a.yaml',
      'service: a\nslos:\n  - name: availability\n    objective: 0.999\n    sli: { kind: events, source: simulator }\n    alerting:\n      page: false\n      windows: [{ severity: page, long: 1h, short: 5m, budgetShare: 0.02 }]\n    runbook: a.md\n',
    );
    write('b.yaml', 'service: b\nslos:\n  - name: availability\n    objective: 0.999\n    sli: { kind: events, source: simulator }\n    alerting: { page: false, ticket: false }\n    runbook: b.md\n');
    write('c.yaml', 'service: c\nslos:\n  - name: availability\n    objective: 0.999\n    sli: { kind: events, source: simulator }\n    alerting: { page: false }\n    runbook: c.md\n');
    expect(problems().sort()).toEqual([
      'a.yaml:7: slos.0.alerting: page and ticket leave no window pair to alert on: keep at least one severity of the windows on',
      'b.yaml:6: slos.0.alerting: page and ticket leave no window pair to alert on: keep at least one severity of the windows on',
    ]);
  });

  it('reports a missing runbook and a duplicate SLO', () => {
    write('a.yaml', 'service: a\nslos:\n  - name: availability\n    objective: 0.999\n    sli: { kind: events, source: simulator }\n    runbook: gone.md\n');
    write('b.yaml', 'service: a\nslos:\n  - name: availability\n    objective: 0.999\n    sli: { kind: events, source: simulator }\n    runbook: here.md\n');
    expect(problems((f) => f === 'here.md')).toEqual([
      'a.yaml:6: slos.0.runbook: runbook gone.md not found in runbooks/',
      expect.stringMatching(/^b\.yaml:3: slos\.0\.name: duplicate SLO a\.availability \(also in .*a\.yaml\)$/),
    ]);
  });

  it('reads alerting.noData: a ticket after 10m by default, page optional, false turns it off', () => {
    const slo = (name: string, alerting = '') => `  - name: ${name}\n    objective: 0.999\n    sli: { kind: events, source: simulator }\n    runbook: a.md\n${alerting}`;
    write('a.yaml', `service: a\nslos:\n${slo('plain')}${slo('paging', '    alerting:\n      noData: { after: 30m, severity: page }\n')}${slo('off', '    alerting:\n      noData: false\n')}`);
    const byName = new Map(loadRules(dir, () => true).slos.map((s) => [s.name, s.alerting.noData]));
    expect(byName.get('plain')).toEqual({ afterSeconds: 600, severity: 'ticket' });
    expect(byName.get('paging')).toEqual({ afterSeconds: 1800, severity: 'page' });
    expect(byName.get('off')).toBeNull();
  });

  it('reports a bad alerting.noData with file, line and field', () => {
    write('a.yaml', 'service: a\nslos:\n  - name: availability\n    objective: 0.999\n    sli: { kind: events, source: simulator }\n    runbook: a.md\n    alerting:\n      noData:\n        after: soon\n        severity: critical\n        colour: red\n');
    expect(problems().sort()).toEqual([
      'a.yaml:11: slos.0.alerting.noData.colour: unknown field',
      'a.yaml:9: slos.0.alerting.noData.after: must be a duration such as 5m, 1h, 7d, 30d or 4w',
      'a.yaml:10: slos.0.alerting.noData.severity: Invalid option: expected one of "ticket"|"page"',
    ].sort());
  });

  it('loads heartbeats, and reports their problems with file, line and field', () => {
    write('a.yaml', 'heartbeats:\n  - name: alertmanager\n    interval: 1m\n    runbook: am.md\n  - { name: backup, interval: 1d, grace: 2h, severity: ticket, service: feature-store }\n');
    const rules = loadRules(dir, () => true);
    expect(rules.heartbeats).toEqual([
      { name: 'alertmanager', description: null, intervalSeconds: 60, graceSeconds: 60, service: 'alertmanager', severity: 'page', runbookId: 'am', file: expect.stringMatching(/a\.yaml$/) },
      { name: 'backup', description: null, intervalSeconds: 86400, graceSeconds: 7200, service: 'feature-store', severity: 'ticket', runbookId: null, file: expect.stringMatching(/a\.yaml$/) },
    ]);
    write('b.yaml', 'heartbeats:\n  - name: alertmanager\n    interval: 1m\n');
    expect(problems((f) => f !== 'am.md').sort()).toEqual([
      'a.yaml:4: heartbeats.0.runbook: runbook am.md not found in runbooks/',
      expect.stringMatching(/^b\.yaml:2: heartbeats\.0\.name: duplicate heartbeat alertmanager \(also in .*a\.yaml\)$/),
    ]);
    write('b.yaml', 'heartbeats:\n  - name: cron\n    interval: 5s\n    severity: urgent\n');
    expect(problems().sort()).toEqual([
      'b.yaml:3: heartbeats.0.interval: must be at least 10s',
      'b.yaml:4: heartbeats.0.severity: Invalid option: expected one of "page"|"ticket"',
    ]);
  });

  it('loads the heartbeats example as written in docs/alerts.md', () => {
    fs.copyFileSync(path.resolve(__dirname, '../../../alerts/examples/heartbeats.yaml'), path.join(dir, 'heartbeats.yaml'));
    expect(loadRules(dir, () => true).heartbeats.map((h) => [h.name, h.intervalSeconds, h.severity])).toEqual([['alertmanager', 300, 'page'], ['nightly-feature-backfill', 86400, 'ticket']]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    write('a.yaml', 'service: a\nservice: b\nslos: []\n');
    expect(problems()[0]).toMatch(/^a\.yaml:2: \(document\): YAML syntax: /);
  });

  it('loads the shipped example experiment', () => {
    const rules = loadRules(path.resolve(__dirname, '../../../alerts'), () => true);
    const exp = rules.experiments.find((e) => e.id === 'ranker-v42')!;
    expect(exp.variants.map((v) => [v.name, v.control])).toEqual([['control', true], ['ranker-v42', false]]);
    expect(exp.metrics.map((m) => [m.name, m.role, m.margin])).toEqual([['skip_rate', 'guardrail', 0.02], ['listening_minutes', 'guardrail', 0.01], ['stream_starts', 'success', 0]]);
  });

  it('reports experiment problems with file, line and field', () => {
    write('e.yaml', [
      'experiments:',
      '  - name: exp-a',
      '    service: svc',
      '    start: 2026-11-20T09:00:00Z',
      '    variants:',
      '      - { name: control, control: true, share: 0.5 }',
      '      - { name: b, share: 0.6 }',
      '    guardrails:',
      '      - { name: skip_rate, kind: proportion, direction: lower_is_better }',
      '  - name: exp-a',
      '    service: svc',
      '    start: yesterday',
      '    variants: [{ name: a, control: true, share: 0.5 }, { name: b, share: 0.5 }]',
      '    guardrails: [{ name: m, kind: mean, direction: down }]',
      '',
    ].join('\n'));
    expect(problems()).toEqual([
      'e.yaml:6: experiments.0.variants: the shares must sum to 1 (they sum to 1.1)',
      'e.yaml:12: experiments.1.start: must be an ISO time such as 2026-11-20T09:00:00Z',
      'e.yaml:14: experiments.1.guardrails.0.direction: must be lower_is_better or higher_is_better',
    ]);
    write('e.yaml', 'experiments:\n  - name: exp-a\n    service: svc\n    start: 2026-11-20T09:00:00Z\n    variants: [{ name: a, control: true, share: 0.5 }, { name: b, share: 0.5 }]\n    guardrails: [{ name: m, kind: mean, direction: lower_is_better }]\n    runbook: gone.md\n');
    write('f.yaml', 'experiments:\n  - name: exp-a\n    service: svc\n    start: 2026-11-20T09:00:00Z\n    variants: [{ name: a, control: true, share: 0.5 }, { name: b, share: 0.5 }]\n    guardrails: [{ name: m, kind: mean, direction: lower_is_better }]\n');
    expect(problems((f) => f !== 'gone.md')).toEqual([
      'e.yaml:2: experiments.0.runbook: runbook gone.md not found in runbooks/',
      expect.stringMatching(/^f\.yaml:2: experiments\.0\.name: duplicate experiment exp-a \(also in .*e\.yaml\)$/),
    ]);
  });
  it('loads rollback hooks and policies across files', () => {
    write('hooks.yaml', [
      'rollbackHooks:',
      '  - name: deploy',
      '    url: https://deploy.example/rollback',
      '    headers: { X-Team: ranking }',
      '    body: \'{"experiment": "{{experiment}}", "incident": {{incident.id}}}\'',
      '    timeout: 500ms',
      '    secretEnv: DEPLOY_HOOK_SECRET',
      '',
    ].join('\n'));
    write('policies.yaml', 'rollbackPolicies:\n  - name: ranker\n    hook: deploy\n    trigger: { guardrail: { experiment: ranker-v42, metric: skip_rate } }\n    mode: approval\n    consecutiveEvaluations: 3\n    cooldown: 30m\n    maxPerHour: 2\n');
    const rules = loadRules(dir, () => true);
    expect(rules.rollbackHooks).toEqual([expect.objectContaining({ name: 'deploy', method: 'POST', timeoutMs: 500, retries: 3, secretEnv: 'DEPLOY_HOOK_SECRET' })]);
    expect(rules.rollbackPolicies).toEqual([expect.objectContaining({
      name: 'ranker', hook: 'deploy', mode: 'approval', consecutiveEvaluations: 3, cooldownSeconds: 1800, maxPerHour: 2,
      trigger: { kind: 'guardrail', experiment: 'ranker-v42', metric: 'skip_rate' },
    })]);
  });

  it('reports rollback hook and policy problems with file, line and field', () => {
    write('hooks.yaml', [
      'rollbackHooks:',
      '  - name: deploy',
      '    url: ftp://deploy.example/rollback',
      '    method: DELETE',
      '    body: \'{"who": "{{incident.owner}}"}\'',
      '    timeout: soon',
      '    retries: -1',
      '    secretEnv: deploy-secret',
      '    colour: red',
      '',
    ].join('\n'));
    write('policies.yaml', [
      'rollbackPolicies:',
      '  - name: ranker',
      '    hook: deploy',
      '    trigger: { slo: { service: ranker }, guardrail: { experiment: e } }',
      '    mode: yolo',
      '    consecutiveEvaluations: 0',
      '    cooldown: 1 hour',
      '',
    ].join('\n'));
    expect(problems().sort()).toEqual([
      'hooks.yaml:3: rollbackHooks.0.url: must be an http:// or https:// URL',
      'hooks.yaml:4: rollbackHooks.0.method: must be POST, PUT or PATCH',
      'hooks.yaml:5: rollbackHooks.0.body: unknown placeholder {{incident.owner}}; use one of incident.id, incident.title, incident.url, incident.severity, incident.source, service, experiment, variant, metric, slo, hook, policy, execution.id, mode, change.id, change.kind, change.service, change.summary, change.version, change.previousVersion, change.link',
      'hooks.yaml:6: rollbackHooks.0.timeout: must be a duration such as 10s or 500ms',
      'hooks.yaml:7: rollbackHooks.0.retries: must be 0 or more',
      'hooks.yaml:8: rollbackHooks.0.secretEnv: must be an environment variable name such as DEPLOY_HOOK_SECRET',
      'hooks.yaml:9: rollbackHooks.0.colour: unknown field',
      'policies.yaml:4: rollbackPolicies.0.trigger: name exactly one of slo or guardrail',
      'policies.yaml:5: rollbackPolicies.0.mode: must be one of auto, approval, dry-run',
      'policies.yaml:6: rollbackPolicies.0.consecutiveEvaluations: must be at least 1',
      'policies.yaml:7: rollbackPolicies.0.cooldown: must be a duration such as 30m or 1h',
    ]);
  });

  it('reports a policy naming a hook that does not exist, and duplicate names', () => {
    write('a.yaml', 'rollbackHooks:\n  - name: deploy\n    url: http://d/x\nrollbackPolicies:\n  - name: p\n    hook: gone\n    trigger: { slo: { service: ranker } }\n    mode: dry-run\n');
    write('b.yaml', 'rollbackHooks:\n  - name: deploy\n    url: http://d/y\n');
    expect(problems()).toEqual([
      expect.stringMatching(/^b\.yaml:2: rollbackHooks\.0\.name: duplicate rollback hook deploy \(also in .*a\.yaml\)$/),
      expect.stringMatching(/^a\.yaml:6: rollbackPolicies\.0\.hook: no rollback hook named gone/),
    ]);
  });
});
