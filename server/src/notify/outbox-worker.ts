import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CLOCK, type Clock } from '../common/clock';
import { CONTACT_TOPIC } from '../oncall/notification-rules';
import { LOGGER, type Logger } from '../common/logger';
import { DrainLoop } from '../common/drain-loop';
import { AppMetrics } from '../common/metrics';
import { withSpan } from '../common/telemetry';
import { IncidentsService } from '../incidents/incidents.service';
import { SYSTEM_ACTOR } from '../incidents/actor';
import type { OutboxMessage } from '../outbox/outbox-message.entity';
import { OutboxService } from '../outbox/outbox.service';
import { ClaimLostError, DeliveryError, retryDelayMs } from './delivery-error';
import { SLACK_CALL_TIMEOUT_MS } from './slack/slack-api';
import { DeliveryChannels, FAILING_AFTER } from './delivery-channels';
import { IncidentNotifier } from './incident-notifier';
import { ContactDelivery } from './contact/contact-delivery';
import { SlackFallback } from './contact/slack-fallback';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A claim renewed right before a Slack call lasts this long: the call's timeout and a margin. */
const CALL_COVER_SECONDS = SLACK_CALL_TIMEOUT_MS / 1000 + 5;

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
    private readonly contacts: ContactDelivery,
    private readonly fallback: SlackFallback,
    @Inject(CLOCK) private readonly clock: Clock,
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
    // The application's clock decides when a rule's delay is over (a fake one in tests, a scaled one in demos).
    const batch = await this.outbox.claim(Math.min(20, MAX_IN_FLIGHT - this.inFlight), this.clock.now());
    for (const message of batch) this.enqueue(await this.laneOf(message), message);
    return batch.length > 0;
  }

  /** A Slack conversation, 'console', or a contact sender's lane (`contact:twilio`). */
  private laneOf(message: OutboxMessage): Promise<string> | string {
    return message.topic === CONTACT_TOPIC ? this.contacts.laneOf(message) : this.notifier.conversationOf(message);
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
        if (queue.length > 0 && !this.stopped) await this.keepQueued(queue, conversation);
        // A failure here (the database went away mid-send) must not end the lane: the message
        // stays claimed, its claim lapses, and it is taken up again with a look before posting.
        try {
          if (this.stopped) {
            // Shutting down: hand it back at once rather than leave it claimed until the claim expires.
            await this.outbox.release(next);
          } else {
            await this.send(next, conversation);
          }
        } catch (err) {
          this.logger.error({ err, key: next.key, conversation }, 'outbox message could not be finished; it is taken up again when its claim lapses');
        }
        this.inFlight -= 1;
        // The incident's next message (an update after its page) may be claimable now.
        if (!this.stopped) void this.drain();
      }
      this.lanes.delete(conversation);
    })();
    this.lanes.set(conversation, { queue, done });
  }

  /**
   * Renews the claims of the messages still waiting in a lane (a busy channel's queue at one post
   * a second can outlast a claim) and drops those another worker has taken over meanwhile.
   */
  private async keepQueued(queue: OutboxMessage[], conversation: string): Promise<void> {
    try {
      // Only the messages renewed here are judged: one the claim loop adds to the lane while the
      // statement runs was not in it, and dropping it would send it a claim period late, out of order.
      const held = [...queue];
      const ours = await this.outbox.renewClaims(held);
      for (const message of held) {
        if (ours.has(message.id)) continue;
        this.logger.info({ key: message.key, conversation }, 'claim taken over by another worker; not sending');
        const i = queue.indexOf(message);
        if (i >= 0) queue.splice(i, 1);
        this.inFlight -= 1;
      }
    } catch (err) {
      // Each message's own check before its send still stands; nothing is sent on a lost claim.
      this.logger.warn({ err, conversation }, 'could not renew the claims of queued outbox messages');
    }
  }

  /**
   * Runs right before each Slack call that changes something: waits for the conversation's next
   * send slot (posts only), keeping the claim meanwhile, then checks that the claim is still
   * this worker's and makes it cover the call's timeout, in one statement. A worker whose claim
   * lapsed and was taken over stops here (ClaimLostError) and the new owner, which looks for the
   * message before posting, sends it once.
   */
  private beforeSend(message: OutboxMessage, conversation: string): (call: 'post' | 'update') => Promise<void> {
    return async (call) => {
      if (call === 'post') await this.pace(message, conversation);
      if (!(await this.outbox.renewClaim(message, CALL_COVER_SECONDS))) throw new ClaimLostError(message.key);
    };
  }

  private async pace(message: OutboxMessage, conversation: string): Promise<void> {
    const interval = isContactLane(conversation) ? this.config.contactSendIntervalMs : this.config.slackChannelIntervalMs;
    if (conversation === 'console' || interval <= 0) return;
    const slot = await this.channels.reserveSlot(conversation, interval);
    const wait = slot.getTime() - Date.now();
    if (wait <= 0) return;
    if (!(await this.outbox.holdClaimUntil(message, slot))) throw new ClaimLostError(message.key);
    await sleep(wait);
  }

  private async send(message: OutboxMessage, conversation: string): Promise<void> {
    await withSpan('notify.deliver', { topic: message.topic, key: message.key, conversation }, async () => {
      try {
        const beforeSend = this.beforeSend(message, conversation);
        const result = message.topic === CONTACT_TOPIC
          ? await this.contacts.deliver(message, () => beforeSend('post'))
          : await this.notifier.deliver(message, { conversation, beforeSend });
        if (!(await this.outbox.markSent(message, result))) {
          this.logger.warn({ key: message.key, conversation }, 'sent, but the claim had passed to another worker meanwhile (a call slower than its cover)');
        }
        this.metrics.outboxSent.inc({ channel: String(result.channel ?? 'none'), outcome: 'sent' });
        // A skipped message (no page to update) says nothing about the conversation's health.
        if (conversation !== 'console' && !result.skipped) await this.recovered(message, conversation);
      } catch (err) {
        if (err instanceof ClaimLostError) {
          this.logger.info({ key: message.key, conversation }, 'claim taken over by another worker; not sending');
          return;
        }
        const failure = err instanceof DeliveryError ? err : new DeliveryError(String((err as Error).message ?? err), true);
        // A retryable failure is retried for a time, not a number of attempts: every claim counts
        // as an attempt (a lapsed one too), and a look before posting is one more call that can fail.
        // A row a rule delayed counts from when it came due.
        const since = Math.max(message.createdAt.getTime(), message.notBefore?.getTime() ?? 0);
        const retrying = Date.now() - since < this.config.outboxRetryMinutes * 60_000;
        if (failure.retryable && retrying) {
          const delay = retryDelayMs(message.attempts, failure);
          if (!(await this.outbox.markRetry(message, failure.message, delay))) return;
          this.metrics.outboxSent.inc({ channel: isContactLane(conversation) ? 'contact' : 'slack', outcome: 'retry' });
          this.logger.warn({ key: message.key, conversation, attempt: message.attempts, delayMs: delay, err: failure.message }, 'delivery failed; retrying');
          // Woken when it comes due, not at the next poll.
          setTimeout(() => void this.drain(), delay + 5).unref();
        } else {
          if (!(await this.outbox.markFailed(message, failure.message))) return;
          this.metrics.outboxSent.inc({ channel: isContactLane(conversation) ? 'contact' : 'slack', outcome: 'failed' });
          this.logger.error({ key: message.key, conversation, err: failure.message }, 'delivery failed permanently');
          if (message.topic === CONTACT_TOPIC) {
            await this.contacts.failed(message, failure);
          } else if (message.incidentId !== null) {
            await this.incidents.addNote(message.incidentId, SYSTEM_ACTOR, 'notification.failed', `Delivery failed: ${failure.message}`, { key: message.key, channel: conversation });
            // A page Slack will not take goes out through people's other contact methods.
            if (conversation !== 'console') await this.fallback.slackGaveUp(message, failure.message);
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
    // A page still being retried on a conversation that keeps failing should not wait out the
    // retry period: its people are reached through their other methods now (once per message).
    if (inARow >= FAILING_AFTER && failure.retryable && !isContactLane(conversation)) {
      await this.fallback.slackGaveUp(message, `${failure.message}, ${inARow} attempts in a row`);
    }
    if (inARow !== FAILING_AFTER || message.incidentId === null) return;
    this.logger.error({ conversation, err: failure.message, inARow }, 'Slack conversation keeps failing');
    await this.incidents.addNote(message.incidentId, SYSTEM_ACTOR, 'notification.channel-failing',
      `${isContactLane(conversation) ? conversation : `Slack ${conversation}`} keeps failing (${inARow} attempts in a row, last: ${failure.message}); ${failure.retryable ? 'retrying' : 'not retried'}. See /readyz.`,
      { channel: conversation, error: failure.message });
  }

  private async recovered(message: OutboxMessage, conversation: string): Promise<void> {
    if ((this.healthyUntil.get(conversation) ?? 0) > Date.now()) return;
    const ended = await this.channels.recordSuccess(conversation);
    this.healthyUntil.set(conversation, Date.now() + 30_000);
    if (ended < FAILING_AFTER || message.incidentId === null) return;
    this.logger.info({ conversation, failures: ended }, 'Slack conversation delivers again');
    await this.incidents.addNote(message.incidentId, SYSTEM_ACTOR, 'notification.channel-recovered',
      `${isContactLane(conversation) ? conversation : `Slack ${conversation}`} delivers again after ${ended} failed attempts`, { channel: conversation });
  }
}

function isContactLane(lane: string): boolean {
  return lane.startsWith('contact:');
}
