import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '../common/logger';
import { IncidentsService } from './incidents.service';

/** How often snoozes that have run out are turned back into triggered incidents. */
const CHECK_EVERY_MS = 2_000;

/** Ends snoozes on time; each due incident is claimed with SKIP LOCKED, so several processes can run this. */
@Injectable()
export class SnoozeWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly incidents: IncidentsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), CHECK_EVERY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.incidents
      .endDueSnoozes()
      .catch((err) => this.logger.error({ err }, 'ending due snoozes failed; will retry'))
      .finally(() => (this.running = null));
  }
}
