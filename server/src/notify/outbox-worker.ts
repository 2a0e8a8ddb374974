import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LOGGER, type Logger } from '../common/logger';
import { AppMetrics } from '../common/metrics';
import { withSpan } from '../common/telemetry';
import { IncidentsService } from '../incidents/incidents.service';
import { SYSTEM_ACTOR } from '../incidents/timeline-entry.entity';
import type { OutboxMessage } from '../outbox/outbox-message.entity';
import { OutboxService } from '../outbox/outbox.service';
import { DeliveryError, MAX_ATTEMPTS, retryDelayMs } from './delivery-error';
import { IncidentNotifier } from './incident-notifier';

/**
 * Sends outbox messages: woken right after a commit, and polling as a safety net (another
 * process's rows, retries that came due, rows a crashed process left claimed).
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private unsubscribe?: () => void;

  constructor(
    private readonly outbox: OutboxService,
    private readonly notifier: IncidentNotifier,
    private readonly incidents: IncidentsService,
    private readonly metrics: AppMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.outbox.onWake(() => void this.drain());
    this.timer = setInterval(() => void this.drain(), this.config.outboxPollMs);
    void this.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  /** Runs until nothing is due; a wake during a run schedules one more pass. */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped) {
            const batch = await this.outbox.claim(20);
            if (batch.length === 0) break;
            for (const message of batch) await this.send(message);
          }
        } while (this.again && !this.stopped);
      } catch (err) {
        this.logger.error({ err }, 'outbox worker pass failed; will retry on the next poll');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async send(message: OutboxMessage): Promise<void> {
    await withSpan('notify.deliver', { topic: message.topic, key: message.key }, async () => {
      try {
        const result = await this.notifier.deliver(message);
        await this.outbox.markSent(message.id, result);
        this.metrics.outboxSent.inc({ channel: String(result.channel ?? 'none'), outcome: 'sent' });
      } catch (err) {
        const failure = err instanceof DeliveryError ? err : new DeliveryError(String((err as Error).message ?? err), true);
        if (failure.retryable && message.attempts < MAX_ATTEMPTS) {
          const delay = retryDelayMs(message.attempts, failure);
          await this.outbox.markRetry(message.id, failure.message, delay);
          this.metrics.outboxSent.inc({ channel: 'slack', outcome: 'retry' });
          this.logger.warn({ key: message.key, attempt: message.attempts, delayMs: delay, err: failure.message }, 'delivery failed; retrying');
        } else {
          await this.outbox.markFailed(message.id, failure.message);
          this.metrics.outboxSent.inc({ channel: 'slack', outcome: 'failed' });
          this.logger.error({ key: message.key, err: failure.message }, 'delivery failed permanently');
          if (message.incidentId !== null) {
            await this.incidents.addNote(message.incidentId, SYSTEM_ACTOR, 'notification.failed', `Delivery failed: ${failure.message}`, { key: message.key });
          }
        }
      }
    });
  }
}
