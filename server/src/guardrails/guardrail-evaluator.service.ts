import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource, In } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { SIGNAL_HANDLER, type Signal, type SignalHandler } from '../common/signals';
import { withSpan } from '../common/telemetry';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LeaseService } from '../common/lease.service';
import { ScheduledJob } from '../common/scheduled-job';
import { RulesService } from '../rules/rules.service';
import type { ExperimentDefinition } from '../rules/experiment-definition';
import { evaluateExperiment, type ExperimentResults, type MetricResult } from './experiment-evaluation';
import { Experiment } from './experiment.entity';
import { definitionOf, ExperimentsService } from './experiments.service';
import { guardrailFingerprint, guardrailSignal } from './guardrail-signal';

const LEASE = 'guardrail-evaluation';

/**
 * Runs the guardrail tests: right after an observation batch for that experiment, and on a
 * schedule (one process at a time, by lease) for every running one. Stores the results and
 * publishes a firing signal per breached guardrail (experiment, variant, metric) while the
 * breach holds, and a resolved one when it clears.
 */
@Injectable()
export class GuardrailEvaluator implements OnApplicationBootstrap, OnApplicationShutdown {
  private queue: Promise<unknown> = Promise.resolve();
  private job?: ScheduledJob;

  constructor(
    private readonly dataSource: DataSource,
    private readonly experiments: ExperimentsService,
    private readonly rules: RulesService,
    @Inject(SIGNAL_HANDLER) private readonly next: SignalHandler,
    private readonly leases: LeaseService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const sync = () => this.experiments.syncDeclared(this.rules.experiments().map((d) => ({ spec: d.spec, file: d.file ?? '' })));
    await sync();
    this.rules.onReload(() => {
      sync().catch((err) => this.logger.error({ err }, 'experiments from alerts/ not synced'));
    });
    this.scheduled().start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
    await this.queue.catch(() => undefined);
  }

  /** The scheduled pass now (by lease), over every running experiment; never rejects. */
  scheduledPass(): Promise<void> {
    return this.scheduled().tick();
  }

  private scheduled(): ScheduledJob {
    return (this.job ??= new ScheduledJob({
      name: LEASE,
      everyMs: this.config.evaluationIntervalSeconds * 1000,
      lease: { service: this.leases, ttlSeconds: Math.max(10, this.config.evaluationIntervalSeconds * 2) },
      run: async () => this.evaluate(await this.experiments.runningIds()),
      logger: this.logger,
      scheduler: this.scheduler,
    }));
  }

  /**
   * An experiment was stopped or deleted: its guardrails' incidents resolve, with `message` on
   * their timelines (nothing is left to fire, so none would ever clear). In the evaluation queue,
   * so a pass of this process that read it as running cannot refire after.
   */
  ended(def: ExperimentDefinition, message: string): Promise<void> {
    const at = this.clock.now();
    const signals: Signal[] = def.metrics.filter((m) => m.role === 'guardrail').flatMap((g) =>
      def.variants
        .filter((v) => !v.control)
        .map((v): Signal => ({
          fingerprint: guardrailFingerprint(def.id, v.name, g.name),
          status: 'resolved',
          ends: true,
          resolvedMessage: message,
          source: 'guardrail',
          service: def.service,
          title: `${def.service} experiment ${def.id}`,
          severity: def.severity,
          labels: { experiment: def.id, variant: v.name, metric: g.name },
          evidence: { experiment: def.id, variant: v.name, metric: g.name, ended: message },
          at,
        })),
    );
    const run = this.queue.then(async () => void (await this.next.handleSignals(signals)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Evaluations in this process run one after another, so state changes never interleave. */
  evaluate(ids: string[]): Promise<Map<string, ExperimentResults>> {
    const run = this.queue.then(() => this.evaluateNow(ids));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(ids: string[]): Promise<Map<string, ExperimentResults>> {
    return withSpan('guardrails.evaluate', { experiments: ids.length }, async () => {
      const out = new Map<string, ExperimentResults>();
      if (ids.length === 0) return out;
      const now = this.clock.now();
      const rows = await this.dataSource.getRepository(Experiment).findBy({ id: In(ids) });
      const snapshots = await this.experiments.latestSnapshots(rows.map((r) => r.id));
      const signals: Signal[] = [];
      for (const row of rows) {
        const def = definitionOf(row);
        let results: ExperimentResults;
        try {
          results = evaluateExperiment(def, snapshots.get(row.id) ?? null);
        } catch (err) {
          // One experiment's bad data must not stop the others' pages.
          this.logger.error({ err, experiment: row.id }, `guardrail evaluation of ${row.id} failed`);
          continue;
        }
        out.set(row.id, results);
        const before = new Map((row.results?.metrics ?? []).map((m) => [guardrailFingerprint(row.id, m.variant, m.metric), m] as const));
        if (def.status === 'running') {
          for (const m of results.metrics.filter((x) => x.role === 'guardrail')) {
            const prev: MetricResult | undefined = before.get(guardrailFingerprint(row.id, m.variant, m.metric));
            if (m.state === 'breach') signals.push(guardrailSignal(def, results, m, 'firing', now));
            // Only a test that can conclude again ("ok") clears a breach: no data is not a recovery.
            else if (prev?.state === 'breach' && m.state === 'ok') signals.push(guardrailSignal(def, results, m, 'resolved', now));
          }
        }
      }
      // One statement for the whole pass: a scheduled pass covers every running experiment.
      if (out.size > 0) {
        await this.dataSource.query(
          `UPDATE experiments e SET results = x.results, evaluated_at = $2
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, results jsonb) WHERE e.id = x.id`,
          [JSON.stringify([...out].map(([id, results]) => ({ id, results }))), now.toISOString()],
        );
      }
      if (signals.length > 0) await this.next.handleSignals(signals);
      return out;
    });
  }
}
