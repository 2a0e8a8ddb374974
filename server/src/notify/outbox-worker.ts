import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LOGGER, type Logger } from '../common/logger';
import { DrainLoop } from '../common/drain-loop';
import { AppMetrics } from '../common/metrics';
import { withSpan } from '../common/telemetry';
import { IncidentsService } from '../incidents/incidents.service';
import { SYSTEM_ACTOR } from '../incidents/timeline-entry.entity';
import type { OutboxMessage } from '../outbox/outbox-message.entity';
import { OutboxService } from '../outbox/outbox.service';
import { DeliveryError, MAX_ATTEMPTS, retryDelayMs } from './delivery-error';
import { DeliveryChannels, FAILING_AFTER } from './delivery-channels';
import { IncidentNotifier } from './incident-notifier';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages claimed and not yet finished, across all conversations: bounds what one process holds. */
const MAX_IN_FLIGHT = 200;

/**
 * Sends outbox messages: woken right after a commit, and polling as a safety net (another
 * process's rows, retries that came due, rows a crashed process left claimed).
 *
 * Claimed messages go into one lane per Slack conversation. Lanes run side by side, each in
 * claim (id) order and at most one post per HEADROOM_SLACK_CHANNEL_INTERVAL_MS (the slot comes
 * from the database, so several processes share the pace): a burst to one channel waits its
 * turn without holding up pages to any other. The claim never holds two messages of one
 * incident, so a page is always posted before its updates.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: DrainLoop;
  private readonly lanes = new Map<string, { queue: OutboxMessage[]; done: Promise<void> }>();
  private inFlight = 0;
  /**
   * Conversations this process recorded as healthy lately: a busy channel's every success need
   * not be written (another process's failures are reset by the next write, at most 30 s on).
   */
  private readonly healthyUntil = new Map<string, number>();

  constructor(
    private readonly outbox: OutboxService,
    private readonly notifier: IncidentNotifier,
    private readonly incidents: IncidentsService,
    private readonly metrics: AppMetrics,
    private readonly channels: DeliveryChannels,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.loop = new DrainLoop({ name: 'outbox worker', pollMs: config.outboxPollMs, onWake: (l) => outbox.onWake(l), step: () => this.claimSome(), logger });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    await this.idle();
  }

  private get stopped(): boolean {
    return this.loop.stopped;
  }

  /** Resolves when every lane has finished what it holds. */
  async idle(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all([...this.lanes.values()].map((l) => l.done));
  }

  /** Claims until nothing is due (or enough is in flight) and hands each message to its lane. */
  drain(): Promise<void> {
    return this.loop.drain();
  }

  private async claimSome(): Promise<boolean> {
    if (this.inFlight >= MAX_IN_FLIGHT) return false;
    const batch = await this.outbox.claim(Math.min(20, MAX_IN_FLIGHT - this.inFlight));
    for (const message of batch) this.enqueue(await this.notifier.conversationOf(message), message);
    return batch.length > 0;
  }

  private enqueue(conversation: string, message: OutboxMessage): void {
    this.inFlight += 1;
    const lane = this.lanes.get(conversation);
    if (lane) {
      lane.queue.push(message);
      return;
    }
    const queue = [message];
    const done = (async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (this.stopped) {
          // Shutting down: hand it back at once rather than leave it claimed until the claim expires.
          const id = next.id;
          await this.outbox.release(id).catch((err) => this.logger.warn({ err, id }, 'could not release an outbox message'));
        } else {
          await this.send(next, conversation);
        }
        this.inFlight -= 1;
        // The incident's next message (an update after its page) may be claimable now.
        if (!this.stopped) void this.drain();
      }
      this.lanes.delete(conversation);
    })();
    this.lanes.set(conversation, { queue, done });
  }

  /** Waits for the conversation's next send slot, keeping the claim on the message meanwhile. */
  private async pace(message: OutboxMessage, conversation: string): Promise<void> {
    const interval = this.config.slackChannelIntervalMs;
    if (conversation === 'console' || interval <= 0) return;
    const slot = await this.channels.reserveSlot(conversation, interval);
    const wait = slot.getTime() - Date.now();
    if (wait <= 0) return;
    await this.outbox.extendClaim(message.id, slot);
    await sleep(wait);
  }

  private async send(message: OutboxMessage, conversation: string): Promise<void> {
    await withSpan('notify.deliver', { topic: message.topic, key: message.key, conversation }, async () => {
      try {
        const result = await this.notifier.deliver(message, { conversation, beforePost: () => this.pace(message, conversation) });
        await this.outbox.markSent(message.id, result);
        this.metrics.outboxSent.inc({ channel: String(result.channel ?? 'none'), outcome: 'sent' });
        // A skipped message (no page to update) says nothing about the conversation's health.
        if (conversation !== 'console' && !result.skipped) await this.recovered(message, conversation);
      } catch (err) {
        const failure = err instanceof DeliveryError ? err : new DeliveryError(String((err as Error).message ?? err), true);
        if (failure.retryable && message.attempts < MAX_ATTEMPTS) {
          const delay = retryDelayMs(message.attempts, failure);
          await this.outbox.markRetry(message.id, failure.message, delay);
          this.metrics.outboxSent.inc({ channel: 'slack', outcome: 'retry' });
          this.logger.warn({ key: message.key, conversation, attempt: message.attempts, delayMs: delay, err: failure.message }, 'delivery failed; retrying');
        } else {
          await this.outbox.markFailed(message.id, failure.message);
          this.metrics.outboxSent.inc({ channel: 'slack', outcome: 'failed' });
          this.logger.error({ key: message.key, conversation, err: failure.message }, 'delivery failed permanently');
          if (message.incidentId !== null) {
            await this.incidents.addNote(message.incidentId, SYSTEM_ACTOR, 'notification.failed', `Delivery failed: ${failure.message}`, { key: message.key, channel: conversation });
          }
        }
        if (conversation !== 'console') await this.failed(message, conversation, failure);
      }
    });
  }

  /** Counts a failure against the conversation; the attempt that makes it "failing" says so on the incident. */
  private async failed(message: OutboxMessage, conversation: string, failure: DeliveryError): Promise<void> {
    this.healthyUntil.delete(conversation);
    const inARow = await this.channels.recordFailure(conversation, failure.message);
    if (inARow !== FAILING_AFTER || message.incidentId === null) return;
    this.logger.error({ conversation, err: failure.message, inARow }, 'Slack conversation keeps failing');
    await this.incidents.addNote(message.incidentId, SYSTEM_ACTOR, 'notification.channel-failing',
      `Slack ${conversation} keeps failing (${inARow} attempts in a row, last: ${failure.message}); ${failure.retryable ? 'retrying' : 'not retried'}. See /readyz.`,
      { channel: conversation, error: failure.message });
  }

  private async recovered(message: OutboxMessage, conversation: string): Promise<void> {
    if ((this.healthyUntil.get(conversation) ?? 0) > Date.now()) return;
    const ended = await this.channels.recordSuccess(conversation);
    this.healthyUntil.set(conversation, Date.now() + 30_000);
    if (ended < FAILING_AFTER || message.incidentId === null) return;
    this.logger.info({ conversation, failures: ended }, 'Slack conversation delivers again');
    await this.incidents.addNote(message.incidentId, SYSTEM_ACTOR, 'notification.channel-recovered',
      `Slack ${conversation} delivers again after ${ended} failed attempts`, { channel: conversation });
  }
}
