import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRules } from '../rules/rules-loader';
import { RulesError } from '../rules/yaml-source';
import { loadOncall, routePolicyProblems } from './oncall-loader';
import { OncallService } from './oncall.service';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-oncall-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const SCHEDULE = `schedules:
  - id: ranker-primary
    name: Ranking primary
    timeZone: Europe/London
    layers:
      - name: weekly
        start: 2026-11-30T09:00
        rotation: { every: 1, unit: weeks }
        participants: [alice@example.com, bob@example.com]
`;

const POLICY = `escalationPolicies:
  - name: ranker
    steps:
      - notify: { schedule: ranker-primary }
        wait: 10m
      - notify: { channel: "#ranker-oncall", users: [Lead@Example.com] }
        wait: 5m
    repeat: 2
`;

function problems(dir: string) {
  try {
    loadOncall(dir);
  } catch (err) {
    if (err instanceof RulesError) return err.problems.map((p) => `${path.basename(p.file)}:${p.line}: ${p.field}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('loading schedules and escalation policies from alerts/*.yaml', () => {
  it('loads schedules and policies (snapshots with durations in seconds) from any file, beside other sections', () => {
    const dir = folder({ 'oncall.yaml': SCHEDULE + '\n' + POLICY, 'routes.yaml': 'routes:\n  - name: all\n    escalationPolicy: ranker\n' });
    const loaded = loadOncall(dir);
    expect(loaded.schedules.map((s) => s.schedule.id)).toEqual(['ranker-primary']);
    expect(loaded.policies.get('ranker')!.policy).toEqual({
      name: 'ranker',
      repeat: 2,
      reminderAfterSeconds: null,
      steps: [
        { notify: { schedule: 'ranker-primary' }, waitSeconds: 600 },
        { notify: { channel: '#ranker-oncall', users: ['lead@example.com'] }, waitSeconds: 300 },
      ],
    });
    // The SLO loader accepts a file with only schedules and policies.
    expect(() => loadRules(dir, () => true)).not.toThrow();
  });

  it('reports every problem with file, line and field', () => {
    const dir = folder({
      'a.yaml': SCHEDULE,
      'b.yaml': SCHEDULE + `escalationPolicies:
  - name: ranker
    steps:
      - notify: { schedule: nope }
        wait: 10 minutes
      - notify: { pager: x }
        wait: 1m
`,
    });
    expect(problems(dir)).toEqual([
      'b.yaml:14: escalationPolicies.0.steps.0.wait: Invalid duration "10 minutes": expected a whole number followed by one unit (s, m, h, d or w), e.g. "30s", "5m", "1h", "30d", "4w"',
      'b.yaml:15: escalationPolicies.0.steps.1.notify.pager: unknown field',
      'b.yaml:15: escalationPolicies.0.steps.1.notify: must name a schedule, users, a channel or a userGroup',
    ]);
    const fixed = folder({ 'a.yaml': SCHEDULE, 'b.yaml': SCHEDULE + POLICY.replace('schedule: ranker-primary', 'schedule: nope') });
    expect(problems(fixed)).toEqual([
      expect.stringMatching(/^b\.yaml:2: schedules\.0\.id: duplicate schedule ranker-primary \(also in .*a\.yaml\)$/),
      'b.yaml:13: escalationPolicies.0.steps.0.notify.schedule: no schedule nope (schedules: ranker-primary)',
    ]);
  });

  it('names a route whose escalation policy does not exist', () => {
    const dir = folder({ 'routes.yaml': 'routes:\n  - name: all\n    escalationPolicy: nope\n' });
    const found = routePolicyProblems([{ name: 'all', file: path.join(dir, 'routes.yaml'), escalationPolicy: 'nope' }], new Map([['ranker', {}]]));
    expect(found).toEqual([expect.objectContaining({ line: 2, field: 'routes.all.escalationPolicy', message: 'no escalation policy nope (policies: ranker)' })]);
  });
});

describe('reloading on-call rules', () => {
  it('keeps the previous schedules and policies when a change is bad, and reports it', () => {
    const dir = folder({ 'oncall.yaml': SCHEDULE + POLICY });
    const logger = { info: jest.fn(), error: jest.fn() } as never;
    const service = new OncallService({} as never, {} as never, { alertsDir: dir } as never, { now: () => new Date() }, logger, { onReload: () => undefined } as never, {} as never);
    expect(service.policy('ranker')).toBeDefined();
    fs.writeFileSync(path.join(dir, 'oncall.yaml'), SCHEDULE + POLICY.replace('wait: 5m', 'wait: soon'));
    expect(service.reload()).toEqual([expect.objectContaining({ field: 'escalationPolicies.0.steps.1.wait' })]);
    expect(service.policy('ranker')!.policy.steps[1].waitSeconds).toBe(300);
    fs.writeFileSync(path.join(dir, 'oncall.yaml'), SCHEDULE + POLICY.replace('wait: 5m', 'wait: 7m'));
    expect(service.reload()).toEqual([]);
    expect(service.policy('ranker')!.policy.steps[1].waitSeconds).toBe(420);
  });
});
