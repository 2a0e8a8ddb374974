// How long converting OpenSLO documents takes: the cost `loadRules` adds at start and at each
// hot reload when alerts/ holds OpenSLO files. Prints figures; not a test.
// Build first (npm run build -w server), then: node bench/openslo-convert.cjs
const path = require('node:path');

const dist = path.join(__dirname, '../server/dist/server/src/rules/openslo');
const { convertOpenSlo } = require(path.join(dist, 'openslo-converter.js'));

/** One file per service: an SLI, a two-objective latency SLO, an availability SLO; shared policies elsewhere. */
function serviceFile(i) {
  return `apiVersion: openslo/v1
kind: SLI
metadata:
  name: svc-${i}-errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{job="svc-${i}",code=~"5.."}[5m]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{job="svc-${i}"}[5m]))
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
  annotations: { headroom.dev/runbook: svc-${i}.md }
spec:
  service: svc-${i}
  indicatorRef: svc-${i}-errors
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
  alertPolicies: [{ alertPolicyRef: fast-burn }, { alertPolicyRef: slow-burn }]
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: latency
  annotations: { headroom.dev/runbook: svc-${i}.md }
spec:
  service: svc-${i}
  indicator:
    metadata: { name: svc-${i}-duration }
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: sum by (le) (rate(http_request_duration_seconds_bucket{job="svc-${i}"}[5m]))
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives:
    - { displayName: Fast, op: lte, value: 0.25, target: 0.99 }
    - { displayName: Not slow, op: lte, value: 1, target: 0.999 }
  alertPolicies: [{ alertPolicyRef: fast-burn }]
`;
}

const POLICIES = `apiVersion: openslo/v1
kind: AlertPolicy
metadata: { name: fast-burn }
spec:
  conditions:
    - kind: AlertCondition
      metadata: { name: fast-1h }
      spec: { severity: page, condition: { kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h } }
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: { name: slow-burn }
spec:
  conditions:
    - kind: AlertCondition
      metadata: { name: slow-3d }
      spec: { severity: ticket, condition: { kind: burnrate, op: gte, threshold: 1, lookbackWindow: 3d } }
`;

function run(services) {
  const sources = [{ file: 'policies.yaml', text: POLICIES }];
  for (let i = 0; i < services; i++) sources.push({ file: `svc-${i}.yaml`, text: serviceFile(i) });
  convertOpenSlo(sources); // warm-up
  const rounds = 5;
  const started = process.hrtime.bigint();
  let result;
  for (let r = 0; r < rounds; r++) result = convertOpenSlo(sources);
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / rounds;
  if (result.problems.length) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
  const documents = services * 3 + 2;
  console.log(
    `${String(services).padStart(4)} services, ${String(documents).padStart(5)} documents -> ${String(result.slos.length).padStart(5)} SLOs: ` +
      `${ms.toFixed(1).padStart(7)} ms per conversion (${((ms / result.slos.length) * 1000).toFixed(0)} µs per SLO)`,
  );
}

for (const services of [10, 100, 500]) run(services);
