import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatProblem } from '../yaml-source';
import { convertOpenSlo, severityOf, type ConvertOptions } from './openslo-converter';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/openslo');
const fixtures = () =>
  fs
    .readdirSync(FIXTURES)
    .sort()
    .map((name) => ({ file: name, text: fs.readFileSync(path.join(FIXTURES, name), 'utf8') }));

describe('convertOpenSlo on the real-shaped fixtures', () => {
  const conversion = convertOpenSlo(fixtures());
  const byId = new Map(conversion.slos.map((c) => [`${c.service}.${c.slo.name}`, c]));

  it('converts every SLO without problems, one Headroom SLO per objective', () => {
    expect(conversion.problems.map(formatProblem)).toEqual([]);
    expect([...byId.keys()].sort()).toEqual([
      'feature-store.availability',
      'now-playing-ranker.availability',
      'now-playing-ranker.latency-fast',
      'now-playing-ranker.latency-not-slow',
    ]);
  });

  it('good/total ratio with a referenced SLI, referenced policies and a condition from another file', () => {
    const c = byId.get('now-playing-ranker.availability')!;
    expect(c).toMatchObject({ file: 'now-playing-ranker.yaml', label: 'SLO/availability' });
    expect(c.slo).toEqual({
      name: 'availability',
      description: 'Share of ranking requests answered without a server error.',
      objective: 0.999,
      period: '28d',
      sli: {
        kind: 'events',
        source: 'prometheus',
        prometheus: {
          server: 'prometheus-main',
          errorQuery:
            '(sum(rate(http_requests_total{job="now-playing-ranker"}[{{window}}]))) - (sum(rate(http_requests_total{job="now-playing-ranker",code!~"5.."}[{{window}}])))',
          totalQuery: 'sum(rate(http_requests_total{job="now-playing-ranker"}[{{window}}]))',
        },
      },
      alerting: {
        windows: [
          // fast-burn → conditionRef fast-burn-1h: severity page, 14.4 over 1h; 14.4 × 1h / 28d
          { severity: 'page', long: '1h', short: '5m', budgetShare: 0.0214285714286 },
          // slow-burn, inline condition: severity sev3 → ticket, 1 over 3d; 3d / 28d
          { severity: 'ticket', long: '3d', short: '6h', budgetShare: 0.107142857143 },
        ],
      },
      runbook: 'now-playing-ranker-availability.md',
      labels: { team: 'ranking', tags: 'personalization,tier-1' },
    });
  });

  it('threshold latency with two objectives and an inline policy with an inline condition', () => {
    const fast = byId.get('now-playing-ranker.latency-fast')!.slo;
    const notSlow = byId.get('now-playing-ranker.latency-not-slow')!.slo;
    const sli = (threshold: number) => ({
      kind: 'latency',
      source: 'prometheus',
      threshold,
      prometheus: { server: 'prometheus-main', histogramMetric: 'http_request_duration_seconds', selector: '{job="now-playing-ranker"}' },
    });
    const alerting = { windows: [{ severity: 'page', long: '2h', short: '10m', budgetShare: 0.0297619047619 }] };
    expect(fast).toEqual({
      name: 'latency-fast',
      description: 'Ranking requests answered fast enough. — Fast',
      objective: 0.99,
      period: '4w',
      sli: sli(0.25),
      alerting,
      runbook: 'now-playing-ranker-latency.md',
    });
    // targetPercent 99.9 → 0.999
    expect(notSlow).toMatchObject({ name: 'latency-not-slow', objective: 0.999, sli: sli(1), alerting });
  });

  it('bad/total ratio inline, targetPercent and the Headroom annotations', () => {
    expect(byId.get('feature-store.availability')!.slo).toEqual({
      name: 'availability',
      objective: 0.9995,
      period: '30d',
      sli: {
        kind: 'events',
        source: 'prometheus',
        prometheus: {
          server: 'prometheus-main',
          errorQuery: 'sum(increase(feature_lookups_total{outcome="error"}[{{window}}])) or vector(0)',
          totalQuery: 'sum(increase(feature_lookups_total[{{window}}]))',
        },
      },
      alerting: { windows: [{ severity: 'page', long: '1h', short: '5m', budgetShare: 0.02 }], minEvents: 50 },
      severity: 'error',
      runbook: 'feature-store-availability.md',
    });
  });

  it('turns the DataSource the SLIs use into a Prometheus server', () => {
    expect(conversion.prometheusServers).toEqual([
      { server: { name: 'prometheus-main', url: 'http://prometheus.monitoring:9090' }, file: 'now-playing-ranker.yaml', line: 6, label: 'DataSource/prometheus-main' },
    ]);
  });

  it('notes what it accepts but does not act on', () => {
    const notes = conversion.notes.map(formatProblem);
    expect(notes).toContain(
      'alert-policies.yaml:15: AlertCondition/fast-burn-1h spec.condition.alertAfter: not applied as a hold time: Headroom confirms the burn with a short window (5m, 1/12 of lookbackWindow) that must breach too, which also ends the alert soon after the burn stops',
    );
    expect(notes).toContainEqual(expect.stringMatching(/^alert-policies\.yaml:29: AlertPolicy\/fast-burn spec\.notificationTargets: not used: Headroom delivers pages through its escalation policy/));
    expect(conversion.notes).toHaveLength(5);
  });

  it('--server points every SLI at one server and leaves the DataSources out', () => {
    const c = convertOpenSlo(fixtures(), { server: 'thanos' });
    expect(c.problems).toEqual([]);
    expect(c.prometheusServers).toEqual([]);
    expect(new Set(c.slos.map((s) => (s.slo.sli.prometheus as { server: string }).server))).toEqual(new Set(['thanos']));
  });
});

// A minimal valid pair of files; each case below changes one thing in it.
const SLO_FILE = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
  annotations:
    headroom.dev/runbook: ranker.md
spec:
  service: ranker
  indicatorRef: errors
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Availability
      target: 0.999
  alertPolicies:
    - alertPolicyRef: page-fast
`;
const SHARED_FILE = `apiVersion: openslo/v1
kind: SLI
metadata:
  name: errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{job="ranker",code=~"5.."}[5m]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{job="ranker"}[5m]))
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: page-fast
spec:
  alertWhenBreaching: true
  conditions:
    - conditionRef: fast
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: fast
spec:
  severity: page
  condition:
    kind: burnrate
    op: gte
    threshold: 14.4
    lookbackWindow: 1h
`;

type Edits = Array<[string, string]>;
function edit(text: string, edits: Edits): string {
  return edits.reduce((t, [from, to]) => {
    if (!t.includes(from)) throw new Error(`test setup: ${JSON.stringify(from)} not in the file`);
    return t.replace(from, to);
  }, text);
}
function convert(slo: Edits = [], shared: Edits = [], options: ConvertOptions = {}) {
  const c = convertOpenSlo([{ file: 'slo.yaml', text: edit(SLO_FILE, slo) }, { file: 'shared.yaml', text: edit(SHARED_FILE, shared) }], options);
  return { ...c, messages: c.problems.map(formatProblem) };
}

describe('convertOpenSlo: the baseline case converts', () => {
  it('bad/total with referenced SLI, policy and condition', () => {
    const c = convert();
    expect(c.messages).toEqual([]);
    expect(c.slos.map((s) => s.slo)).toEqual([
      expect.objectContaining({
        name: 'availability',
        objective: 0.999,
        sli: {
          kind: 'events',
          source: 'prometheus',
          prometheus: {
            server: 'default',
            errorQuery: 'sum(rate(http_requests_total{job="ranker",code=~"5.."}[{{window}}])) or vector(0)',
            totalQuery: 'sum(rate(http_requests_total{job="ranker"}[{{window}}]))',
          },
        },
        alerting: { windows: [{ severity: 'page', long: '1h', short: '5m', budgetShare: 0.0214285714286 }] },
      }),
    ]);
  });

  it('keeps a bad query that already reads no series as zero', () => {
    const c = convert([], [['code=~"5.."}[5m]))', 'code=~"5.."}[5m])) or vector(0)']]);
    expect(c.slos[0].slo.sli.prometheus).toMatchObject({ errorQuery: 'sum(rate(http_requests_total{job="ranker",code=~"5.."}[{{window}}])) or vector(0)' });
  });

  it('with no alertPolicies, uses the default pairs and says so', () => {
    const c = convert([['  alertPolicies:\n    - alertPolicyRef: page-fast\n', '']]);
    expect(c.messages).toEqual([]);
    expect(c.slos[0].slo.alerting).toBeUndefined();
    expect(c.notes.map(formatProblem)).toContain("slo.yaml:7: SLO/availability spec: no alertPolicies: Headroom alerts with its default burn-rate window pairs (docs/alerts.md, 'Burn-rate alerts')");
  });

  it('takes the runbook from --runbook when the annotation is missing', () => {
    const c = convert([['  annotations:\n    headroom.dev/runbook: ranker.md\n', '']], [], { runbook: 'fallback.md' });
    expect(c.messages).toEqual([]);
    expect(c.slos[0].slo.runbook).toBe('fallback.md');
  });

  it('reads the severity from the annotation first, then the condition, then the policy label', () => {
    const annotated = convert([], [['  name: fast\n', '  name: fast\n  annotations:\n    headroom.dev/alert-severity: ticket\n']]);
    expect(annotated.slos[0].slo.alerting?.windows?.[0].severity).toBe('ticket');
    const labelled = convert([], [
      ['  name: page-fast\n', '  name: page-fast\n  labels:\n    severity: warning\n'],
      ['  severity: page\n', '  severity: team-defined\n'],
    ]);
    expect(labelled.messages).toEqual([]);
    expect(labelled.slos[0].slo.alerting?.windows?.[0].severity).toBe('ticket');
  });

  it('maps severity words to page or ticket', () => {
    expect(['page', 'Critical', 'SEV-1', 'p1', 'high'].map(severityOf)).toEqual(['page', 'page', 'page', 'page', 'page']);
    expect(['ticket', 'warning', 'sev_3', 'P4', 'info'].map(severityOf)).toEqual(['ticket', 'ticket', 'ticket', 'ticket', 'ticket']);
    expect(['sev2', 'p2', 'major', undefined].map(severityOf)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('convertOpenSlo: every unsupported or unknown thing is named with file, line, document and field', () => {
  const cases: Array<[string, Edits, Edits, string | RegExp]> = [
    [
      'a calendar-aligned window',
      [['      isRolling: true\n', '      isRolling: false\n      calendar:\n        startTime: "2024-01-01 00:00:00"\n        timeZone: UTC\n']],
      [],
      'slo.yaml:13: SLO/availability spec.timeWindow.0.calendar: calendar-aligned time windows are not supported: Headroom budgets over a rolling window; write isRolling: true with a duration such as 28d or 30d',
    ],
    [
      'Timeslices budgeting',
      [['budgetingMethod: Occurrences', 'budgetingMethod: Timeslices']],
      [],
      'slo.yaml:13: SLO/availability spec.budgetingMethod: Timeslices budgeting is not supported: Headroom budgets by occurrences (good events / total events); write budgetingMethod: Occurrences',
    ],
    ['RatioTimeslices budgeting', [['budgetingMethod: Occurrences', 'budgetingMethod: RatioTimeslices']], [], /^slo\.yaml:13: SLO\/availability spec\.budgetingMethod: RatioTimeslices budgeting is not supported/],
    ['a window in months', [['duration: 28d', 'duration: 1M']], [], /^slo\.yaml:11: SLO\/availability spec\.timeWindow\.0\.duration: "1M": months, quarters and years have no fixed length/],
    ['timeSliceTarget', [['      target: 0.999\n', '      target: 0.999\n      timeSliceTarget: 0.95\n']], [], /^slo\.yaml:17: SLO\/availability spec\.objectives\.0\.timeSliceTarget: only for Timeslices budgeting/],
    [
      'a composite objective',
      [['  indicatorRef: errors\n', ''], ['      target: 0.999\n', '      target: 0.999\n      indicatorRef: errors\n']],
      [],
      /^slo\.yaml:16: SLO\/availability spec\.objectives\.0\.indicatorRef: composite SLOs \(an indicator per objective\) are not supported/,
    ],
    ['both indicator and indicatorRef', [['  indicatorRef: errors\n', '  indicatorRef: errors\n  indicator:\n    metadata: { name: x }\n    spec: {}\n']], [], /^slo\.yaml:9: SLO\/availability spec\.indicatorRef: give indicator \(inline\) or indicatorRef, not both/],
    ['an SLI that does not exist', [['indicatorRef: errors', 'indicatorRef: erors']], [], 'slo.yaml:9: SLO/availability spec.indicatorRef: no SLI named erors in the given files (SLI documents: errors)'],
    ['an AlertPolicy that does not exist', [['alertPolicyRef: page-fast', 'alertPolicyRef: page-slow']], [], 'slo.yaml:18: SLO/availability spec.alertPolicies.0.alertPolicyRef: no AlertPolicy named page-slow in the given files (AlertPolicy documents: page-fast)'],
    [
      'a missing runbook',
      [['  annotations:\n    headroom.dev/runbook: ranker.md\n', '']],
      [],
      'slo.yaml:3: SLO/availability metadata: no runbook: Headroom links every page to a runbook; add the annotation headroom.dev/runbook: <file>.md (a file in runbooks/), or pass --runbook to openslo import',
    ],
    ['a misspelt Headroom annotation', [['headroom.dev/runbook: ranker.md', 'headroom.dev/runbook: ranker.md\n    headroom.dev/runbok: ranker.md']], [], /^slo\.yaml:7: SLO\/availability metadata\.annotations\.headroom\.dev\/runbok: unknown Headroom annotation on a SLO \(it takes headroom\.dev\/runbook, /],
    ['a field that is not OpenSLO', [['  name: availability\n', '  name: availability\n  displayname: Availability\n']], [], 'slo.yaml:5: SLO/availability metadata.displayname: unknown field: not part of OpenSLO v1 SLO'],
    ['a missing required field', [['  service: ranker\n', '']], [], 'slo.yaml:7: SLO/availability spec.service: required'],
    ['an unknown kind', [['kind: SLO', 'kind: ServiceLevelObjective']], [], /^slo\.yaml:2: ServiceLevelObjective\/availability kind: unknown OpenSLO v1 kind "ServiceLevelObjective": one of SLO, SLI/],
    ['another OpenSLO version', [['apiVersion: openslo/v1', 'apiVersion: openslo/v1alpha']], [], 'slo.yaml:1: SLO/availability apiVersion: openslo/v1alpha is not supported: Headroom reads apiVersion: openslo/v1'],
    ['several objectives without names', [['    - displayName: Availability\n      target: 0.999\n', '    - target: 0.999\n    - target: 0.99\n']], [], /^slo\.yaml:15: SLO\/availability spec\.objectives\.0: several objectives: give each a displayName \(or name\); Headroom makes one SLO per objective, named availability-<displayName>/],
    ['op and value on a ratio SLI', [['      target: 0.999\n', '      target: 0.999\n      op: lte\n      value: 0.3\n']], [], /^slo\.yaml:17: SLO\/availability spec\.objectives\.0\.op: only for a thresholdMetric SLI \(this SLI is a ratioMetric\)/],
    ['a target of 1', [['target: 0.999', 'target: 1']], [], 'slo.yaml:16: SLO/availability spec.objectives.0.target: must be above 0 and below 1, e.g. 0.999'],
    // The SLI
    [
      'a precomputed (raw) ratio',
      [],
      [['    bad:\n', '    rawType: failure\n    raw:\n      metricSource:\n        type: Prometheus\n        spec:\n          query: job:error_ratio:rate5m\n    bad:\n']],
      /^shared\.yaml:9: SLI\/errors spec\.ratioMetric\.raw: a precomputed ratio is not supported: Headroom needs event counts/,
    ],
    ['counter: false', [], [['counter: true', 'counter: false']], /^shared\.yaml:7: SLI\/errors spec\.ratioMetric\.counter: counter: false \(values that go up and down\) is not supported/],
    [
      'a metric source other than Prometheus',
      [],
      [['        type: Prometheus\n        spec:\n          query: sum(rate(http_requests_total{job="ranker"}[5m]))', '        type: Datadog\n        spec:\n          query: sum:trace.http.request.hits{service:ranker}.as_count()']],
      /^shared\.yaml:15: SLI\/errors spec\.ratioMetric\.total\.metricSource\.type: type Datadog is not supported: Headroom reads Prometheus queries/,
    ],
    [
      'a Prometheus spec field other than query',
      [],
      [['          query: sum(rate(http_requests_total{job="ranker"}[5m]))', '          query: sum(rate(http_requests_total{job="ranker"}[5m]))\n          dataSourceName: main']],
      'shared.yaml:18: SLI/errors spec.ratioMetric.total.metricSource.spec.dataSourceName: not supported for a Prometheus metric source: Headroom reads only spec.query',
    ],
    [
      'a gauge query with no rate over a range',
      [],
      [['query: sum(rate(http_requests_total{job="ranker"}[5m]))', 'query: sum(http_requests_total{job="ranker"})']],
      /^shared\.yaml:17: SLI\/errors spec\.ratioMetric\.total\.metricSource\.spec\.query: cannot be converted: it has no rate\(\) or increase\(\) over a range/,
    ],
    ['a missing metric source type', [], [['        type: Prometheus\n        spec:\n          query: sum(rate(http_requests_total{job="ranker"}[5m]))', '        spec:\n          query: sum(rate(http_requests_total{job="ranker"}[5m]))']], /^shared\.yaml:14: SLI\/errors spec\.ratioMetric\.total\.metricSource\.type: required: type: Prometheus/],
    // Alert policies and conditions
    ['alertWhenNoData: true', [], [['  alertWhenBreaching: true\n', '  alertWhenBreaching: true\n  alertWhenNoData: true\n']], 'shared.yaml:25: AlertPolicy/page-fast spec.alertWhenNoData: true is not supported: Headroom shows no-data on the SLO but does not alert on it; set it to false'],
    ['alertWhenBreaching: false', [], [['alertWhenBreaching: true', 'alertWhenBreaching: false']], /^shared\.yaml:24: AlertPolicy\/page-fast spec\.alertWhenBreaching: false is not supported/],
    ['a condition that is not a burn rate', [], [['kind: burnrate', 'kind: errorbudget']], 'shared.yaml:35: AlertCondition/fast spec.condition.kind: errorbudget is not supported: Headroom alerts on burn rate (kind: burnrate)'],
    ['op: lte on a burn rate', [], [['op: gte', 'op: lte']], 'shared.yaml:36: AlertCondition/fast spec.condition.op: op: lte (alert while the burn rate is low) is not supported: use op: gte'],
    ['a burn rate that spends more than the budget', [], [['threshold: 14.4', 'threshold: 1000']], /^shared\.yaml:37: AlertCondition\/fast spec\.condition\.threshold: a burn rate of 1000 over 1h spends 148\.8% of the 28d error budget before it fires/],
    ['a lookbackWindow longer than the time window', [], [['lookbackWindow: 1h', 'lookbackWindow: 5w']], "shared.yaml:38: AlertCondition/fast spec.condition.lookbackWindow: 5w is longer than the SLO's time window (28d)"],
    ['a severity that says neither page nor ticket', [], [['severity: page', 'severity: sev2']], /^shared\.yaml:33: AlertCondition\/fast spec\.severity: "sev2" does not say page or ticket: use page, paging, pager, critical… \(page\)/],
    ['a condition that does not exist', [], [['conditionRef: fast', 'conditionRef: quick']], 'shared.yaml:26: AlertPolicy/page-fast spec.conditions.0.conditionRef: no AlertCondition named quick in the given files (AlertCondition documents: fast)'],
    [
      'an inline policy that also names a reference',
      [['    - alertPolicyRef: page-fast\n', '    - alertPolicyRef: page-fast\n      kind: AlertPolicy\n']],
      [],
      'slo.yaml:18: SLO/availability spec.alertPolicies.0.alertPolicyRef: give alertPolicyRef or an inline AlertPolicy (kind, metadata, spec), not both',
    ],
  ];

  it.each(cases)('%s', (_name, sloEdits, sharedEdits, expected) => {
    const c = convert(sloEdits, sharedEdits);
    expect(c.slos).toEqual([]);
    if (typeof expected === 'string') expect(c.messages).toContain(expected);
    else expect(c.messages).toContainEqual(expect.stringMatching(expected));
  });

  it('a threshold SLI: histogram_quantile, op gte and a missing op are refused', () => {
    const threshold = (objective: string, query: string) =>
      convertOpenSlo([
        {
          file: 'latency.yaml',
          text: `apiVersion: openslo/v1
kind: SLO
metadata:
  name: latency
  annotations: { headroom.dev/runbook: ranker.md }
spec:
  service: ranker
  indicator:
    metadata: { name: p99 }
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: ${query}
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives:
    - ${objective}
`,
        },
      ]).problems.map(formatProblem);
    const buckets = 'http_request_duration_seconds_bucket{job="ranker"}';
    expect(threshold('{ op: lte, value: 0.3, target: 0.99 }', `histogram_quantile(0.99, sum(rate(${buckets}[5m])) by (le))`)).toEqual([
      `latency.yaml:15: SLO/latency spec.indicator.spec.thresholdMetric.metricSource.spec.query: cannot be converted: histogram_quantile(…) gives a quantile per sample, but a Headroom latency SLI counts the requests at or under the objective's value, which it reads from the histogram's _bucket series; write spec.query as the bucket series: ${buckets}`,
    ]);
    expect(threshold('{ op: gte, value: 0.3, target: 0.99 }', buckets)).toEqual([
      'latency.yaml:19: SLO/latency spec.objectives.0.op: op: gte is not supported: a Headroom latency SLI counts the requests at or under a threshold (op: lte)',
    ]);
    expect(threshold('{ value: 0.3, target: 0.99 }', buckets)).toEqual(['latency.yaml:19: SLO/latency spec.objectives.0: required for a thresholdMetric SLI: op: lte (requests at or under value are good)']);
    expect(threshold('{ op: lte, value: 0.3, target: 0.99 }', buckets)).toEqual([]);
  });

  it('a DataSource with credentials is refused with the native alternative', () => {
    const c = convertOpenSlo([
      { file: 'slo.yaml', text: SLO_FILE },
      {
        file: 'shared.yaml',
        text: `${SHARED_FILE.replace(/type: Prometheus/g, 'metricSourceRef: prom')}---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prom
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus:9090
    accessToken: secret
`,
      },
    ]);
    expect(c.problems.map(formatProblem)).toEqual([
      'shared.yaml:48: DataSource/prom spec.connectionDetails.accessToken: not read by Headroom: a DataSource gives only url; for credentials, define the server in an alerts file (prometheus: with name prom, bearerTokenFile or basicAuth) and drop the DataSource',
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const c = convertOpenSlo([{ file: 'bad.yaml', text: 'apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: [x\n' }]);
    expect(c.problems.map(formatProblem)[0]).toMatch(/^bad\.yaml:\d+: \(document\): YAML syntax: /);
  });

  it('reports a broken SLI shared by two SLOs once, and converts neither', () => {
    const second = SLO_FILE.replace('name: availability', 'name: availability-eu');
    const c = convertOpenSlo([
      { file: 'slo.yaml', text: `${SLO_FILE}---\n${second}` },
      { file: 'shared.yaml', text: SHARED_FILE.replace('counter: true', 'counter: false') },
    ]);
    expect(c.slos).toEqual([]);
    expect(c.problems.map(formatProblem)).toEqual([expect.stringMatching(/^shared\.yaml:7: SLI\/errors spec\.ratioMetric\.counter: /)]);
  });
});
