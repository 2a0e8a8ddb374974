import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Headroom's own Prometheus metrics, served at GET /metrics. One registry per app instance. */
export class AppMetrics {
  readonly registry = new Registry();
  readonly evaluations = new Counter({
    name: 'headroom_slo_evaluations_total',
    help: 'SLO evaluation passes run, by trigger (schedule or ingest)',
    labelNames: ['trigger'],
    registers: [this.registry],
  });
  readonly evaluationSeconds = new Histogram({
    name: 'headroom_slo_evaluation_duration_seconds',
    help: 'Time to evaluate a set of SLOs',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly signals = new Counter({
    name: 'headroom_signals_total',
    help: 'Signals emitted by evaluation, by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly gateChecks = new Counter({
    name: 'headroom_gate_checks_total',
    help: 'Progressive-delivery gate calls (GET|POST /api/gates/<service>), by service and answer',
    labelNames: ['service', 'result'],
    registers: [this.registry],
  });
  readonly incidentsOpened = new Counter({
    name: 'headroom_incidents_opened_total',
    help: 'Incidents opened',
    labelNames: ['source', 'severity'],
    registers: [this.registry],
  });
  readonly escalationsStalled = new Counter({
    name: 'headroom_escalations_stalled_total',
    help: 'Escalations the auditor found past a step that was due and re-queued',
    registers: [this.registry],
  });
  readonly escalationsOverdue = new Gauge({
    name: 'headroom_escalations_overdue',
    help: 'Running escalations whose next step is overdue, at the last audit',
    registers: [this.registry],
  });
  readonly escalationActions = new Counter({
    name: 'headroom_escalation_actions_total',
    help: 'Escalation actions taken (step, reminder, stopped, resumed, exhausted), by policy',
    labelNames: ['policy', 'action'],
    registers: [this.registry],
  });

  readonly outboxSent = new Counter({
    name: 'headroom_outbox_deliveries_total',
    help: 'Outbox messages processed, by channel and outcome',
    labelNames: ['channel', 'outcome'],
    registers: [this.registry],
  });
  readonly outboxPending = new Gauge({
    name: 'headroom_outbox_pending',
    help: 'Outbox messages waiting to be sent',
    registers: [this.registry],
  });
  readonly prometheusPullQueries = new Counter({
    name: 'headroom_prometheus_pull_queries_total',
    help: 'Range queries sent to Prometheus by the SLI puller, by server and outcome (ok, error)',
    labelNames: ['server', 'outcome'],
    registers: [this.registry],
  });
  readonly ingestedSamples = new Counter({
    name: 'headroom_ingested_samples_total',
    help: 'Samples written to the SLI store, by source',
    labelNames: ['source'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'headroom_process_' });
  }
}
