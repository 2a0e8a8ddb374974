import { AuditService, type AuditActor } from '../../audit/audit.service';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource, IsNull, MoreThan } from 'typeorm';
import { CLOCK, type Clock } from '../../common/clock';
import { parseDuration } from '../../common/duration';
import { NotFoundError } from '../../common/errors';
import { LOGGER, type Logger } from '../../common/logger';
import { ScheduledJob } from '../../common/scheduled-job';
import { AppMetrics } from '../../common/metrics';
import { withSpan } from '../../common/telemetry';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { simulatorSeries } from '../../slo/series';
import { SLI_STORE, type SampleBatch, type SliStore } from '../../slo/sli-store';
import { SloEvaluator } from '../../slo/slo-evaluator.service';
import { SimulatorExportService } from './simulator-export.service';
import { SimulatorFault, type SimulatorFaultKind } from './simulator-fault.entity';
import type { SimulatedPiece } from './simulator-totals';
import { propagatedFaults } from './service-dependencies';
import { SimulatorState } from './simulator-state.entity';
import {
  DEFAULT_SERVICE_PROFILES,
  LATENCY_BUCKET_BOUNDS_SECONDS,
  simulateInterval,
  FAULT_KINDS,
  type Fault,
  type ServiceProfile,
} from './traffic-model';

const MINUTE_MS = 60_000;
/** At most this much simulated time is generated per tick, so a long backlog never blocks. */
const MAX_CHUNK_MINUTES = 360;
const STATE_ID = 'default';


export interface FaultRequest {
  service: string;
  kind: SimulatorFaultKind;
  value: number;
  durationSeconds: number;
}

/**
 * The built-in source: traffic for the four personalization services, written into the SLI
 * store as minute rollups. A cursor row records how far data was written, in the same
 * transaction as the data, so a restart never counts a minute twice.
 */
@Injectable()
export class SimulatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly profiles: readonly ServiceProfile[] = DEFAULT_SERVICE_PROFILES;
  private job?: ScheduledJob;

  constructor(
    private readonly dataSource: DataSource,
    private readonly evaluator: SloEvaluator,
    private readonly metrics: AppMetrics,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SLI_STORE) private readonly store: SliStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly audit: AuditService,
    private readonly exports: SimulatorExportService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.simulator.enabled) return;
    this.logger.info({ seed: this.config.simulator.seed, timeScale: this.config.timeScale }, 'simulator on');
    this.job = ScheduledJob.start({ name: 'simulator tick', everyMs: 1000, run: () => this.generate(), logger: this.logger, scheduler: this.scheduler });
    void this.job.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One pass: generates the traffic from the cursor up to now (the job runs it every second). */
  async generate(): Promise<void> {
    const now = this.clock.now();
    const state = await this.dataSource.getRepository(SimulatorState).findOneBy({ id: STATE_ID });
    const from = state?.simulatedUntil ?? new Date(now.getTime() - parseDuration(this.config.simulator.backfill) * 1000);
    if (now.getTime() - from.getTime() < 1000) return;
    const to = new Date(Math.min(now.getTime(), from.getTime() + MAX_CHUNK_MINUTES * MINUTE_MS));
    await withSpan('sources.simulator.generate', { from: from.toISOString(), to: to.toISOString() }, async () => {
      const faults = await this.activeFaults(from);
      const pieces = this.piecesFor(from, to, faults);
      const batch = this.batchOf(pieces);
      const written = await this.dataSource.transaction(async (m) => {
        // Re-read the cursor under a row lock: another process may have written this range.
        const locked = await m.findOne(SimulatorState, { where: { id: STATE_ID }, lock: { mode: 'pessimistic_write' } });
        if (locked && locked.simulatedUntil.getTime() !== from.getTime()) return false;
        await this.store.write(m, batch);
        await m.save(SimulatorState, { id: STATE_ID, simulatedUntil: to });
        return true;
      });
      if (!written) return;
      // Only what committed: the exported counters count exactly what the store holds.
      this.exports.record(pieces);
      this.metrics.ingestedSamples.inc({ source: 'simulator' }, batch.counters.length + batch.histograms.length);
      const series = new Set([...batch.counters.map((c) => c.series), ...batch.histograms.map((h) => h.series)]);
      await this.evaluator.evaluateAfterIngest(series);
    });
  }

  /** One piece per service per minute slice, minute-aligned so each lands in one rollup row. */
  piecesFor(from: Date, to: Date, faults: Fault[]): SimulatedPiece[] {
    const pieces: SimulatedPiece[] = [];
    let start = from.getTime();
    while (start < to.getTime()) {
      const end = Math.min(to.getTime(), (Math.floor(start / MINUTE_MS) + 1) * MINUTE_MS);
      for (const profile of this.profiles) {
        const piece = { service: profile.name, from: new Date(start), to: new Date(end) };
        pieces.push({ ...piece, sample: simulateInterval({ profile, ...piece, faults, seed: this.config.simulator.seed }) });
      }
      start = end;
    }
    return pieces;
  }

  private batchOf(pieces: readonly SimulatedPiece[]): SampleBatch {
    const batch: SampleBatch = { source: 'simulator', counters: [], histograms: [] };
    for (const { service, from: at, sample } of pieces) {
      batch.counters.push({ series: simulatorSeries.requests(service), at, value: sample.requests });
      batch.counters.push({ series: simulatorSeries.errors(service), at, value: sample.errors });
      batch.histograms.push({
        series: simulatorSeries.latency(service),
        at,
        buckets: sample.latencyBucketCounts.map((count, i) => ({ le: LATENCY_BUCKET_BOUNDS_SECONDS[i] ?? Infinity, count })),
      });
    }
    return batch;
  }

  /**
   * Traffic faults only (the traffic model knows nothing of experiments), with what each passes on
   * to the services that depend on its service (service-dependencies.ts).
   */
  private async activeFaults(since: Date): Promise<Fault[]> {
    const injected = (await this.faultsSince(since)).filter((f): f is Fault => (FAULT_KINDS as readonly string[]).includes(f.kind));
    return [...injected, ...propagatedFaults(injected)];
  }

  /** Every fault active at some point since `since`, with its effective end. */
  async faultsSince(since: Date): Promise<Array<Omit<Fault, 'kind'> & { kind: SimulatorFaultKind }>> {
    const rows = await this.dataSource.getRepository(SimulatorFault).find({ where: { endsAt: MoreThan(since) } });
    return rows.map((f) => ({
      service: f.service,
      kind: f.kind,
      value: f.value,
      startsAt: f.startsAt,
      // A cleared fault stops at the moment it was cleared.
      endsAt: f.clearedAt && f.clearedAt < f.endsAt ? f.clearedAt : f.endsAt,
    }));
  }

  /** Injects a fault, audited: a fault pages people, so who injected it is on the record. */
  async injectFault(req: FaultRequest, actor: AuditActor): Promise<SimulatorFault> {
    const startsAt = this.clock.now();
    const fault = await this.dataSource.transaction(async (m) => {
      const saved = await m.getRepository(SimulatorFault).save({
        service: req.service,
        kind: req.kind,
        value: req.value,
        startsAt,
        endsAt: new Date(startsAt.getTime() + req.durationSeconds * 1000),
        clearedAt: null,
      });
      await this.audit.record(m, { at: startsAt, actor, action: 'simulator_fault.injected', entityType: 'simulator_fault', entityId: saved.id, after: { ...req } });
      return saved;
    });
    this.logger.warn({ fault }, `simulator fault injected: ${req.kind}=${req.value} on ${req.service}`);
    return fault;
  }

  listFaults(): Promise<SimulatorFault[]> {
    return this.dataSource.getRepository(SimulatorFault).find({ order: { id: 'DESC' }, take: 100 });
  }

  async clearFault(id: number, actor: AuditActor): Promise<SimulatorFault> {
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(SimulatorFault);
      const fault = await repo.findOneBy({ id });
      if (!fault) throw new NotFoundError('fault', id);
      if (!fault.clearedAt) {
        fault.clearedAt = this.clock.now();
        await repo.save(fault);
        await this.audit.record(m, { at: fault.clearedAt, actor, action: 'simulator_fault.cleared', entityType: 'simulator_fault', entityId: id });
      }
      return fault;
    });
  }

  async clearAll(actor: AuditActor): Promise<{ cleared: number }> {
    return this.dataSource.transaction(async (m) => {
      const at = this.clock.now();
      const result = await m.getRepository(SimulatorFault).update({ clearedAt: IsNull(), endsAt: MoreThan(at) }, { clearedAt: at });
      const cleared = result.affected ?? 0;
      if (cleared > 0) await this.audit.record(m, { at, actor, action: 'simulator_fault.cleared', entityType: 'simulator_fault', entityId: 'all', after: { cleared } });
      return { cleared };
    });
  }
}
