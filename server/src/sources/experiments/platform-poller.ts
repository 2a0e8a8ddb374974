import { boundedFetch } from '../../common/bounded-fetch';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { z } from 'zod';
import { LOGGER, type Logger } from '../../common/logger';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { LeaseService } from '../../common/lease.service';
import { ScheduledJob } from '../../common/scheduled-job';
import { observationBodySchema } from './observation-body';
import { ExperimentObservationsService } from './experiment-observations.service';
import { platformBreachesBodySchema } from './platform-breach';
import { PlatformBreachesService } from './platform-breaches.service';

const LEASE = 'experiment-platform-poll';

/** What an observations endpoint answers: a snapshot per experiment. */
export const polledObservationsSchema = z.strictObject({
  observations: z.array(observationBodySchema.safeExtend({ experiment: z.string().min(1).max(200) })).max(1000),
});

export interface PollReport {
  breaches: number;
  observationsStored: number;
  observationsUnchanged: number;
  problems: string[];
}

/**
 * Pulls from an experiment platform on a schedule (one process at a time, by lease): the
 * breaches it decided, and its cumulative observations. What it answers goes through the same
 * checks as a push; a failing or malformed answer is logged and tried again next time — it
 * never clears a breach and never stores half a snapshot.
 */
@Injectable()
export class ExperimentPlatformPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: ScheduledJob;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly breaches: PlatformBreachesService,
    private readonly observations: ExperimentObservationsService,
    private readonly leases: LeaseService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const { breachesUrl, observationsUrl, intervalSeconds } = this.config.experimentPlatform;
    if (!breachesUrl && !observationsUrl) return;
    this.job = ScheduledJob.start({
      name: LEASE,
      everyMs: intervalSeconds * 1000,
      lease: { service: this.leases, ttlSeconds: Math.max(10, intervalSeconds * 2) },
      run: async () => {
        const report = await this.poll();
        if (report.problems.length > 0) this.logger.warn({ ...report }, 'experiment platform poll had problems');
      },
      logger: this.logger,
      scheduler: this.scheduler,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  async poll(): Promise<PollReport> {
    const { breachesUrl, observationsUrl, name } = this.config.experimentPlatform;
    const report: PollReport = { breaches: 0, observationsStored: 0, observationsUnchanged: 0, problems: [] };
    if (breachesUrl) {
      const parsed = platformBreachesBodySchema.safeParse(await this.fetchJson(breachesUrl, report));
      if (parsed.success) report.breaches = (await this.breaches.receive(parsed.data, name)).length;
      else if (!report.problems.length) report.problems.push(`${breachesUrl}: ${issuesText(parsed.error)}`);
    }
    if (observationsUrl) {
      const before = report.problems.length;
      const parsed = polledObservationsSchema.safeParse(await this.fetchJson(observationsUrl, report));
      if (parsed.success) {
        for (const { experiment, ...snapshot } of parsed.data.observations) {
          try {
            const outcome = await this.observations.record(experiment, snapshot);
            if (outcome.stored) report.observationsStored++;
            else report.observationsUnchanged++;
          } catch (err) {
            report.problems.push(`${experiment} at ${snapshot.at}: ${(err as Error).message}`);
          }
        }
      } else if (report.problems.length === before) report.problems.push(`${observationsUrl}: ${issuesText(parsed.error)}`);
    }
    return report;
  }

  private async fetchJson(url: string, report: PollReport): Promise<unknown> {
    const { token, timeoutMs } = this.config.experimentPlatform;
    try {
      const res = await boundedFetch(url, { headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(timeoutMs) }, MAX_ANSWER_BYTES);
      if (!res.ok) {
        report.problems.push(`${url}: HTTP ${res.status}`);
        return undefined;
      }
      return JSON.parse(await res.text());
    } catch (err) {
      report.problems.push(`${url}: ${(err as Error).message}`);
      return undefined;
    }
  }
}

/** The largest answer read from the experiment platform. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}
