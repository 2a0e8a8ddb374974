import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { NotFoundError, ValidationError } from '../common/errors';
import { AppMetrics } from '../common/metrics';
import { ExperimentsService } from '../guardrails/experiments.service';
import { IncidentsService } from '../incidents/incidents.service';
import { SlosService } from '../slo/slos.service';
import { GateCheck } from './gate-check.entity';
import { decideGate, type GateDecision, type GateOptions } from './gate-decision';

/** An open incident is any status but resolved. */
const OPEN = ['triggered', 'acknowledged', 'snoozed'];
/** More open incidents than this are not listed one by one: the gate fails either way. */
const MAX_INCIDENTS = 50;

export interface GateQuery {
  slo?: string;
  experiment?: string;
  since?: string;
}

/**
 * Answers a service's gate from the SLOs' last evaluation, the running experiments' latest
 * results and its open incidents (gate-decision.ts judges), and counts the calls per service.
 */
@Injectable()
export class GatesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly slos: SlosService,
    private readonly experiments: ExperimentsService,
    private readonly incidents: IncidentsService,
    private readonly metrics: AppMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async check(service: string, query: GateQuery): Promise<GateDecision & { checkedAt: Date }> {
    const opts = parseOptions(query);
    const [slos, experiments, open] = await Promise.all([
      this.slos.list({ service }),
      this.experiments.list({ filter: { service }, sort: { field: 'id', order: 'ASC' }, offset: 0, limit: 500 }),
      this.incidents.list({ filter: { service, status: OPEN }, sort: { field: 'id', order: 'ASC' }, offset: 0, limit: MAX_INCIDENTS }),
    ]);
    // A gate for a service Headroom knows nothing about would always pass: a typo must not.
    if (slos.length === 0 && experiments.total === 0) throw new NotFoundError('service (no SLO or experiment declares it)', service);
    if (opts.slo !== undefined && !slos.some((s) => s.id === opts.slo || s.name === opts.slo)) throw new NotFoundError(`SLO of ${service}`, opts.slo);
    if (opts.experiment !== undefined && !experiments.items.some((e) => e.id === opts.experiment)) throw new NotFoundError(`experiment of ${service}`, opts.experiment);
    const decision = decideGate(
      service,
      slos.map((s) => ({ id: s.id, name: s.name, state: s.state, since: s.since ? new Date(s.since) : null, burnRates: s.burnRates, noDataReason: s.noDataReason })),
      experiments.items
        .filter((e) => e.status === 'running')
        .map((e) => ({ id: e.id, breaches: (e.results?.metrics ?? []).filter((m) => m.role === 'guardrail' && m.state === 'breach').map((m) => ({ metric: m.metric, variant: m.variant })) })),
      open.items.map((i) => ({ id: i.id, title: i.title, status: i.status, triggeredAt: i.triggeredAt })),
      opts,
    );
    const checkedAt = this.clock.now();
    await this.count(service, decision, checkedAt);
    return { ...decision, checkedAt };
  }

  /** Every service's gate calls: how many passed and failed, and the last answer. */
  async calls(): Promise<GateCheck[]> {
    return this.dataSource.getRepository(GateCheck).find({ order: { service: 'ASC' } });
  }

  private async count(service: string, d: GateDecision, at: Date): Promise<void> {
    this.metrics.gateChecks.inc({ service, result: d.pass ? 'pass' : 'fail' });
    await this.dataSource.query(
      `INSERT INTO gate_checks (service, passed, failed, last_checked_at, last_pass, last_reasons) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT pk_gate_checks DO UPDATE SET passed = gate_checks.passed + $2, failed = gate_checks.failed + $3,
         last_checked_at = $4, last_pass = $5, last_reasons = $6`,
      [service, d.pass ? 1 : 0, d.pass ? 0 : 1, at.toISOString(), d.pass, JSON.stringify(d.reasons)],
    );
  }
}

function parseOptions(q: GateQuery): GateOptions {
  const opts: GateOptions = {};
  if (q.slo) opts.slo = q.slo;
  if (q.experiment) opts.experiment = q.experiment;
  if (q.since) {
    const since = new Date(/^\d+$/.test(q.since) ? Number(q.since) : q.since);
    if (Number.isNaN(since.getTime())) throw new ValidationError([{ field: 'since', message: 'must be an ISO 8601 time or milliseconds since the epoch' }]);
    opts.since = since;
  }
  return opts;
}
