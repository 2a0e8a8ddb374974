import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, runHeadroomCli } from '../support/headroom-process';

/** Bad configuration stops the process with a message that says what to fix, and an exit code. */
describe('startup errors', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bad-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function alertsWith(name: string, yaml: string): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'svc.yaml'), yaml);
    return dir;
  }

  it('names file, line and field for an unknown field in alerts YAML (exit 3)', async () => {
    const dir = alertsWith('unknown-field', `service: ranker\nslos:\n  - name: availability\n    objective: 0.999\n    objectve: 0.99\n    sli: { kind: events, source: simulator }\n    runbook: now-playing-ranker-availability.md\n`);
    const r = await runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: dir, HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks') });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/svc\.yaml:5: slos\.0\.objectve: unknown field/);
  });

  it('reports malformed YAML with its line, and a missing runbook', async () => {
    const broken = alertsWith('broken', `service: ranker\nslos:\n  - name: availability\n    objective: [0.999\n`);
    const r1 = await runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: broken });
    expect(r1.code).toBe(3);
    expect(r1.stderr).toMatch(/svc\.yaml:\d+: \(document\): YAML syntax/);

    const noRunbook = alertsWith('no-runbook', `service: ranker\nslos:\n  - name: availability\n    objective: 0.999\n    sli: { kind: events, source: simulator }\n    runbook: missing.md\n`);
    const r2 = await runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: noRunbook, HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks') });
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/svc\.yaml:6: slos\.0\.runbook: runbook missing\.md not found/);
  });

  it('validates the shipped alerts folder', async () => {
    const r = await runHeadroomCli(['validate'], {});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok: 8 SLOs, 1 experiment, 1 rollback hook, 1 rollback policy, 1 schedule, 1 escalation policy in alerts, 9 runbooks/);
  });

  it('names file, line and field in schedules and escalation policies, and a route naming a missing policy', async () => {
    const bad = alertsWith('oncall', `schedules:
  - id: primary
    name: Primary
    timeZone: Europe/Londn
    layers:
      - { name: weekly, start: 2026-11-30T09:00, rotation: { unit: weeks }, participants: [a@example.com] }
escalationPolicies:
  - name: p
    steps:
      - notify: { schedule: primary }
        wait: 10m
`);
    const r1 = await runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: bad });
    expect(r1.code).toBe(3);
    expect(r1.stderr).toMatch(/svc\.yaml:4: schedules\.0\.timeZone: must be an IANA time zone/);

    const route = alertsWith('route-policy', `routes:
  - name: all
    escalationPolicy: nope
`);
    const r2 = await runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: route });
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/svc\.yaml:2: routes\.all\.escalationPolicy: no escalation policy nope/);
  });

  it('names DATABASE_URL when it is not a PostgreSQL URL (exit 2)', async () => {
    const r = await runHeadroomCli(['start'], { DATABASE_URL: 'mysql://localhost/x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  });

  it('says it cannot reach the database in DATABASE_URL (exit 4)', async () => {
    const r = await runHeadroomCli(['start'], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/headroom' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Cannot connect to the database in DATABASE_URL (127.0.0.1:1/headroom)');
  });

  it('names a half-configured Slack', async () => {
    const r = await runHeadroomCli(['start'], { SLACK_BOT_TOKEN: 'xoxb-1', HEADROOM_DATA_DIR: path.join(tmp, 'data') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_CHANNEL');
  });
});
