import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LOGGER, type Logger } from '../common/logger';
import { ScheduledJob } from '../common/scheduled-job';
import { IncidentsService } from './incidents.service';

/** How often snoozes that have run out are turned back into triggered incidents. */
const CHECK_EVERY_MS = 2_000;

/** Ends snoozes on time; each due incident is claimed with SKIP LOCKED, so several processes can run this. */
@Injectable()
export class SnoozeWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: ScheduledJob;

  constructor(
    private readonly incidents: IncidentsService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.job = ScheduledJob.start({ name: 'ending due snoozes', everyMs: CHECK_EVERY_MS, run: () => this.incidents.endDueSnoozes(), logger: this.logger, scheduler: this.scheduler });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }
}
