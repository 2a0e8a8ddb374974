import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, runHeadroomCli } from '../support/headroom-process';

/**
 * `headroom openslo import` and OpenSLO files in alerts/, through the built CLI: what the
 * import writes must pass `headroom validate`, and so must the OpenSLO files themselves.
 */
describe('OpenSLO import (CLI)', () => {
  const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/openslo');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-openslo-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const validate = (alertsDir: string) => runHeadroomCli(['validate'], { HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks') });

  it('imports a folder of OpenSLO files into one file per service, which validate accepts', async () => {
    const out = path.join(tmp, 'alerts');
    const r = await runHeadroomCli(['openslo', 'import', FIXTURES, '--out', out], {});
    expect(r.stderr).not.toMatch(/cannot convert/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${path.join(out, 'feature-store.yaml')} (1 SLO)`);
    expect(r.stdout).toContain(`wrote ${path.join(out, 'now-playing-ranker.yaml')} (3 SLOs)`);
    // What Headroom accepts but does not act on is said, not dropped silently.
    expect(r.stderr).toMatch(/^note: test\/fixtures\/openslo\/alert-policies\.yaml:15: AlertCondition\/fast-burn-1h spec\.condition\.alertAfter: not applied as a hold time/m);

    const written = parse(fs.readFileSync(path.join(out, 'now-playing-ranker.yaml'), 'utf8'));
    expect(written.slos.map((s: { name: string }) => s.name)).toEqual(['availability', 'latency-fast', 'latency-not-slow']);
    expect(written.slos[0].alerting.windows).toEqual([
      { severity: 'page', long: '1h', short: '5m', budgetShare: 0.0214285714286 },
      { severity: 'ticket', long: '3d', short: '6h', budgetShare: 0.107142857143 },
    ]);

    const v = await validate(out);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^ok: 4 SLOs/);

    // Importing again replaces its own output.
    const again = await runHeadroomCli(['openslo', 'import', FIXTURES, '--out', out], {});
    expect(again.code).toBe(0);
  });

  it('writes one file with --out FILE.yaml, applying --runbook and --server', async () => {
    const out = path.join(tmp, 'single', 'ranker.yaml');
    const noRunbook = path.join(tmp, 'ranker-no-runbook.yaml');
    fs.writeFileSync(noRunbook, fs.readFileSync(path.join(FIXTURES, 'now-playing-ranker.yaml'), 'utf8').replace(/ *headroom\.dev\/runbook: .*\n/g, '').replace(/ *annotations:\n(?! )/g, ''));
    fs.writeFileSync(path.join(tmp, 'policies.yaml'), fs.readFileSync(path.join(FIXTURES, 'alert-policies.yaml')));
    const r = await runHeadroomCli(['openslo', 'import', noRunbook, path.join(tmp, 'policies.yaml'), '--out', out, '--runbook', 'now-playing-ranker-availability.md', '--server', 'thanos'], {});
    expect(r.stderr).not.toMatch(/cannot convert/);
    expect(r.code).toBe(0);
    const written = parse(fs.readFileSync(out, 'utf8'));
    expect(written.slos.map((s: { runbook: string }) => s.runbook)).toEqual(Array(3).fill('now-playing-ranker-availability.md'));
    expect(written.slos.map((s: { sli: { prometheus: { server: string } } }) => s.sli.prometheus.server)).toEqual(['thanos', 'thanos', 'thanos']);
    expect(written.prometheus).toBeUndefined();

    // The folder needs the thanos server before it validates: the message says so.
    const missing = await validate(path.dirname(out));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no Prometheus server named thanos/);
    fs.writeFileSync(path.join(path.dirname(out), 'prometheus.yaml'), 'prometheus:\n  - name: thanos\n    url: http://thanos-query:9090\n');
    const v = await validate(path.dirname(out));
    expect(v.stderr).toBe('');
    expect(v.stdout).toMatch(/^ok: 3 SLOs/);
  });

  it('prints to stdout without --out', async () => {
    const r = await runHeadroomCli(['openslo', 'import', path.join(FIXTURES, 'feature-store.yaml'), path.join(FIXTURES, 'alert-policies.yaml'), path.join(FIXTURES, 'now-playing-ranker.yaml')], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# feature-store\.yaml\n# Converted from OpenSLO by `headroom openslo import`\./);
    const docs = r.stdout.split(/^---$/m).map((d) => parse(d));
    expect(docs.map((d) => d.service)).toEqual(['feature-store', 'now-playing-ranker']);
  });

  it('stops on an unsupported feature with file, line, document and field, and writes nothing', async () => {
    const bad = path.join(tmp, 'months.yaml');
    fs.writeFileSync(bad, fs.readFileSync(path.join(FIXTURES, 'now-playing-ranker.yaml'), 'utf8').replace('duration: 28d\n      isRolling: true', 'duration: 1M\n      isRolling: true'));
    const out = path.join(tmp, 'never');
    const r = await runHeadroomCli(['openslo', 'import', bad, path.join(FIXTURES, 'alert-policies.yaml'), '--out', out], {});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `${bad}:59: SLO/availability spec.timeWindow.0.duration: "1M": months, quarters and years have no fixed length, so Headroom cannot use them; write days or weeks, e.g. 30d or 4w`,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('does not overwrite a file it did not write', async () => {
    const out = path.join(tmp, 'hand-written.yaml');
    fs.writeFileSync(out, 'service: feature-store\n');
    const r = await runHeadroomCli(['openslo', 'import', path.join(FIXTURES, 'feature-store.yaml'), path.join(FIXTURES, 'alert-policies.yaml'), path.join(FIXTURES, 'now-playing-ranker.yaml'), '--out', path.join(tmp, 'hand-written.yaml')], {});
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/describe 2 services \(feature-store, now-playing-ranker\): give --out a folder/);
    const r2 = await runHeadroomCli(['openslo', 'import', path.join(FIXTURES, 'feature-store.yaml'), path.join(FIXTURES, 'alert-policies.yaml'), path.join(FIXTURES, 'now-playing-ranker.yaml'), '--out', tmp], {});
    expect(r2.code).toBe(0);
    fs.writeFileSync(path.join(tmp, 'feature-store.yaml'), 'service: feature-store\n');
    const r3 = await runHeadroomCli(['openslo', 'import', FIXTURES, '--out', tmp], {});
    expect(r3.code).toBe(3);
    expect(r3.stderr).toMatch(/feature-store\.yaml:1: \(document\): exists and was not written by openslo import/);
    expect(fs.readFileSync(path.join(tmp, 'feature-store.yaml'), 'utf8')).toBe('service: feature-store\n');
  });

  it('answers a usage error with the usage (exit 64)', async () => {
    const r = await runHeadroomCli(['openslo', 'import', '--out'], {});
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--out needs a value[\s\S]*openslo import <files or folders…>/);
  });

  it('validate loads OpenSLO files placed in alerts/ directly', async () => {
    const alerts = path.join(tmp, 'direct');
    fs.mkdirSync(alerts);
    for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(alerts, f));
    fs.copyFileSync(path.join(REPO_ROOT, 'alerts/model-serving.yaml'), path.join(alerts, 'model-serving.yaml'));
    const v = await validate(alerts);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^ok: 6 SLOs/);

    fs.writeFileSync(path.join(alerts, 'feature-store.yaml'), fs.readFileSync(path.join(FIXTURES, 'feature-store.yaml'), 'utf8').replace('headroom.dev/runbook: feature-store-availability.md', 'headroom.dev/runbook: feature-store-gone.md'));
    const bad = await validate(alerts);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/feature-store\.yaml:7: SLO\/availability metadata\.annotations\.headroom\.dev\/runbook: runbook feature-store-gone\.md not found in runbooks\//);
  });
});
