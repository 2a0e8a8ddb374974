import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { alertPairsFor } from '../../slo/alert-pairs';
import { evaluateBurnRate, type WindowCounts } from '../../slo/burn-rate';
import { loadRules } from '../rules-loader';
import { RulesError, formatProblem } from '../yaml-source';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/openslo');

/** OpenSLO files in alerts/ load next to the native ones and evaluate like them. */
describe('loadRules with OpenSLO files', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openslo-rules-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const copyFixture = (name: string) => fs.copyFileSync(path.join(FIXTURES, name), path.join(dir, name));
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
  const NATIVE = 'service: model-serving\nslos:\n  - name: availability\n    objective: 0.999\n    sli: { kind: events, source: simulator }\n    runbook: model-serving-availability.md\n';

  it('converts a folder with one OpenSLO file into SLO definitions whose windows are what the AlertConditions said', () => {
    const single = ['now-playing-ranker.yaml', 'alert-policies.yaml'].map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8')).join('---\n');
    write('ranker.openslo.yaml', single);
    write('model-serving.yaml', NATIVE);
    const rules = loadRules(dir, () => true);

    expect(rules.slos.map((s) => s.id).sort()).toEqual([
      'model-serving.availability',
      'now-playing-ranker.availability',
      'now-playing-ranker.latency-fast',
      'now-playing-ranker.latency-not-slow',
    ]);
    expect(rules.prometheusServers).toEqual([{ name: 'prometheus-main', url: 'http://prometheus.monitoring:9090', timeout: '10s', timeoutSeconds: 10, rateWindow: '2m', rateWindowSeconds: 120 }]);

    const availability = rules.slos.find((s) => s.id === 'now-playing-ranker.availability')!;
    expect(availability).toMatchObject({
      objective: 0.999,
      periodSeconds: 28 * 86_400,
      runbookId: 'now-playing-ranker-availability',
      severity: 'critical',
      file: expect.stringMatching(/ranker\.openslo\.yaml$/),
      sli: { kind: 'events', source: 'prometheus', server: 'prometheus-main', totalQuery: 'sum(rate(http_requests_total{job="now-playing-ranker"}[{{window}}]))' },
      alerting: {
        page: true,
        ticket: true,
        minEvents: 0,
        windows: [
          { severity: 'page', long: 3_600, short: 300, budgetShare: 0.0214285714286 },
          { severity: 'ticket', long: 3 * 86_400, short: 6 * 3_600, budgetShare: 0.107142857143 },
        ],
      },
    });
    // The evaluator's thresholds come back to the AlertConditions' burn rates: 14.4 over 1h, 1 over 3d.
    expect(alertPairsFor(availability)).toEqual([
      { severity: 'page', long: 3_600, short: 300, burnRate: 14.4 },
      { severity: 'ticket', long: 259_200, short: 21_600, burnRate: 1 },
    ]);

    const latency = rules.slos.find((s) => s.id === 'now-playing-ranker.latency-fast')!;
    expect(latency.sli).toEqual({ kind: 'latency', source: 'prometheus', thresholdSeconds: 0.25, server: 'prometheus-main', histogramMetric: 'http_request_duration_seconds', selector: '{job="now-playing-ranker"}' });
    expect(alertPairsFor(latency)).toEqual([{ severity: 'page', long: 7_200, short: 600, burnRate: 10 }]);
  });

  it('the converted SLO pages at the AlertCondition burn rate and not below it', () => {
    copyFixture('now-playing-ranker.yaml');
    copyFixture('alert-policies.yaml');
    const slo = loadRules(dir, () => true).slos.find((s) => s.id === 'now-playing-ranker.availability')!;
    const pairs = alertPairsFor(slo);
    // The same error ratio in every window; budget 0.1% (objective 99.9%).
    const evaluate = (bad: number) => {
      const counts: WindowCounts = { good: 100_000 - bad, total: 100_000 };
      const windows = new Map(pairs.flatMap((p) => [p.long, p.short]).map((w) => [w, counts]));
      return evaluateBurnRate({ objective: slo.objective, pairs, windows, minEvents: slo.alerting.minEvents }).state;
    };
    expect(evaluate(1_500)).toBe('page'); // 15× ≥ 14.4
    expect(evaluate(1_400)).toBe('ticket'); // 14× < 14.4, but ≥ 1 over 3d and 6h
    expect(evaluate(90)).toBe('ok'); // 0.9×
  });

  it('reads OpenSLO documents split across files, next to native files', () => {
    for (const f of fs.readdirSync(FIXTURES)) copyFixture(f);
    write('model-serving.yaml', NATIVE);
    const rules = loadRules(dir, () => true);
    expect(rules.slos.map((s) => s.id)).toEqual(expect.arrayContaining(['feature-store.availability', 'model-serving.availability', 'now-playing-ranker.latency-not-slow']));
    expect(rules.slos.find((s) => s.id === 'feature-store.availability')!.alerting.minEvents).toBe(50);
  });

  it('reports an SLO id that a native file already has, and a missing runbook, at the OpenSLO lines', () => {
    for (const f of fs.readdirSync(FIXTURES)) copyFixture(f);
    write('a-native.yaml', NATIVE.replace('model-serving', 'now-playing-ranker'));
    expect(problems((f) => f !== 'now-playing-ranker-latency.md')).toEqual([
      expect.stringMatching(/^now-playing-ranker\.yaml:47: SLO\/availability: duplicate SLO now-playing-ranker\.availability \(also in .*a-native\.yaml\)$/),
      // Once, although both of its objectives became SLOs.
      'now-playing-ranker.yaml:75: SLO/latency metadata.annotations.headroom.dev/runbook: runbook now-playing-ranker-latency.md not found in runbooks/',
    ]);
  });

  it('stops with the OpenSLO problem, file and line, like a native rule error', () => {
    copyFixture('alert-policies.yaml');
    write('ranker.yaml', fs.readFileSync(path.join(FIXTURES, 'now-playing-ranker.yaml'), 'utf8').replace('budgetingMethod: Occurrences', 'budgetingMethod: Timeslices'));
    write('model-serving.yaml', NATIVE.replace('objective: 0.999', 'objective: 2'));
    expect(problems()).toEqual([
      'model-serving.yaml:4: slos.0.objective: must be below 1 (e.g. 0.999)',
      'ranker.yaml:61: SLO/availability spec.budgetingMethod: Timeslices budgeting is not supported: Headroom budgets by occurrences (good events / total events); write budgetingMethod: Occurrences',
    ]);
  });

  it('needs a Prometheus server for an SLI without a DataSource', () => {
    write(
      'ranker.yaml',
      fs
        .readFileSync(path.join(FIXTURES, 'now-playing-ranker.yaml'), 'utf8')
        .replace(/ *metricSourceRef: prometheus-main\n/g, '')
        .replace('  alertPolicies:\n    - alertPolicyRef: fast-burn\n    - alertPolicyRef: slow-burn\n', ''),
    );
    expect(problems()).toContainEqual(expect.stringMatching(/^ranker\.yaml:1: availability\.sli\.prometheus\.server: no Prometheus server named default/));
  });
});
