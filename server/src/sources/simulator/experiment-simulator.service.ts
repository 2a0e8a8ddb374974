import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CLOCK, type Clock } from '../../common/clock';
import { parseDuration } from '../../common/duration';
import { LOGGER, type Logger } from '../../common/logger';
import { ScheduledJob } from '../../common/scheduled-job';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { ExperimentsService } from '../../guardrails/experiments.service';
import { toExperimentDefinition } from '../../rules/experiment-definition';
import { ExperimentObservationsService } from '../experiments/experiment-observations.service';
import { advanceSnapshot } from './experiment-model';
import { SimulatorService } from './simulator.service';

const MINUTE_MS = 60_000;
/** At most this much simulated time per experiment per tick (a long backlog catches up over ticks). */
const MAX_CHUNK_MINUTES = 360;

/**
 * The simulator's demo experiments: every running experiment on a simulated service gets a
 * cumulative snapshot per simulated minute, through the same path as a pushed one
 * (POST /api/experiments/:id/observations). With no fault the treatments behave like the
 * control (an A/A test: nothing may breach); an `experiment-harm` fault on the service makes
 * the treatments worse on every guardrail by its value, to show breach → incident → rollback.
 */
@Injectable()
export class ExperimentSimulator implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: ScheduledJob;

  constructor(
    private readonly simulator: SimulatorService,
    private readonly experiments: ExperimentsService,
    private readonly observations: ExperimentObservationsService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.simulator.enabled) return;
    this.job = ScheduledJob.start({ name: 'experiment simulator tick', everyMs: 1000, run: () => this.generate(), logger: this.logger, scheduler: this.scheduler });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  private async generate(): Promise<void> {
    const simulated = new Set(this.simulator.profiles.map((p) => p.name));
    const ids = await this.experiments.runningIds();
    const latest = await this.experiments.latestSnapshots(ids);
    const now = this.clock.now().getTime();
    const toMinute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    for (const id of ids) {
      const view = await this.experiments.get(id);
      const def = toExperimentDefinition(view.spec, view.file);
      if (!simulated.has(def.service)) continue;
      const last = latest.get(id);
      const backfillFrom = Math.floor((now - parseDuration(this.config.simulator.backfill) * 1000) / MINUTE_MS) * MINUTE_MS;
      const fromMs = last ? last.at.getTime() : Math.max(Math.ceil(def.start.getTime() / MINUTE_MS) * MINUTE_MS, backfillFrom);
      const toMs = Math.min(toMinute, fromMs + MAX_CHUNK_MINUTES * MINUTE_MS);
      if (toMs <= fromMs) continue;
      const faults = (await this.simulator.faultsSince(new Date(fromMs))).filter((f) => f.kind === 'experiment-harm' && f.service === def.service);
      const harmAt = (ms: number) => faults.reduce((h, f) => (ms >= f.startsAt.getTime() && ms < f.endsAt.getTime() ? Math.max(h, f.value) : h), 0);
      const variants = advanceSnapshot({ def, previous: last?.variants ?? null, fromMs, toMs, harmAt, seed: this.config.simulator.seed });
      try {
        await this.observations.record(id, { at: new Date(toMs).toISOString(), variants });
      } catch (err) {
        // Another process wrote this minute first (409), or the definition changed under us: next tick.
        this.logger.debug({ err: (err as Error).message, experiment: id }, 'simulated snapshot not stored');
      }
    }
  }
}
