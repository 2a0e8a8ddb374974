import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Consecutive failed attempts after which a channel is reported as failing. */
export const FAILING_AFTER = 3;

/**
 * A failing conversation nobody has tried since is reported for this long (a DM to someone who
 * left, a channel no route uses any more), then no longer: it would keep /readyz degraded forever.
 */
export const REPORT_FAILING_HOURS = 24;

export interface FailingChannel {
  channel: string;
  consecutiveFailures: number;
  lastError: string | null;
  failingSince: Date | null;
}

/**
 * Pacing and health per Slack channel, in the database so that every process shares them.
 * `reserveSlot` hands out send times one interval apart in the order callers ask, so a burst
 * to one channel goes out in order at Slack's pace while other channels are not held up.
 */
@Injectable()
export class DeliveryChannels {
  constructor(private readonly dataSource: DataSource) {}

  /** The time this caller may post to `channel`: now if the channel is free, else its next slot. */
  async reserveSlot(channel: string, intervalMs: number): Promise<Date> {
    const rows: Array<{ slot: Date | string }> = await this.dataSource.query(
      `INSERT INTO delivery_channels (channel, next_slot_at) VALUES ($1, now() + make_interval(secs => $2))
       ON CONFLICT ON CONSTRAINT pk_delivery_channels
       DO UPDATE SET next_slot_at = greatest(delivery_channels.next_slot_at, now()) + make_interval(secs => $2)
       RETURNING next_slot_at - make_interval(secs => $2) AS slot`,
      [channel, intervalMs / 1000],
    );
    return new Date(rows[0].slot);
  }

  /** Records a delivered message; returns how many failures in a row it ends (0 when healthy). */
  async recordSuccess(channel: string): Promise<number> {
    const rows: Array<{ ended: number }> = await this.dataSource.query(
      `WITH before AS (SELECT consecutive_failures FROM delivery_channels WHERE channel = $1)
       INSERT INTO delivery_channels (channel, last_success_at) VALUES ($1, now())
       ON CONFLICT ON CONSTRAINT pk_delivery_channels
       DO UPDATE SET consecutive_failures = 0, failing_since = NULL, last_success_at = now()
       RETURNING (SELECT coalesce(max(consecutive_failures), 0) FROM before)::int AS ended`,
      [channel],
    );
    return Number(rows[0]?.ended ?? 0);
  }

  /** Records a failed attempt; returns the number of failures in a row, this one included. */
  async recordFailure(channel: string, error: string): Promise<number> {
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `INSERT INTO delivery_channels (channel, consecutive_failures, last_error, failing_since, last_failure_at) VALUES ($1, 1, $2, now(), now())
       ON CONFLICT ON CONSTRAINT pk_delivery_channels
       DO UPDATE SET consecutive_failures = delivery_channels.consecutive_failures + 1, last_error = $2,
                     failing_since = coalesce(delivery_channels.failing_since, now()), last_failure_at = now()
       RETURNING consecutive_failures AS n`,
      [channel, error],
    );
    return Number(rows[0].n);
  }

  /** Channels whose last FAILING_AFTER or more attempts all failed, the last within REPORT_FAILING_HOURS. */
  async failing(): Promise<FailingChannel[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT channel, consecutive_failures, last_error, failing_since FROM delivery_channels
       WHERE consecutive_failures >= $1 AND last_failure_at > now() - make_interval(hours => $2) ORDER BY channel`,
      [FAILING_AFTER, REPORT_FAILING_HOURS],
    );
    return rows.map((r) => ({
      channel: String(r.channel),
      consecutiveFailures: Number(r.consecutive_failures),
      lastError: (r.last_error as string | null) ?? null,
      failingSince: r.failing_since ? new Date(r.failing_since as string) : null,
    }));
  }
}
