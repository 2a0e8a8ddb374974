import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per Slack channel (or DM) Headroom posts to, shared by every process: the next free
 * send slot (Slack allows about one message per second per channel; bursts wait their turn in
 * order) and the channel's health (consecutive failures, last error), which the timeline and
 * /readyz report.
 */
@Entity({ name: 'delivery_channels' })
export class DeliveryChannel {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_delivery_channels' })
  channel!: string;

  /** The earliest time the next message may be posted to this channel. */
  @Column('timestamptz', { name: 'next_slot_at', default: () => 'now()' })
  nextSlotAt!: Date;

  @Column('int', { name: 'consecutive_failures', default: 0 })
  consecutiveFailures!: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { name: 'failing_since', nullable: true })
  failingSince!: Date | null;

  /** The last failed attempt: a conversation not tried for a day is no longer reported. */
  @Column('timestamptz', { name: 'last_failure_at', nullable: true })
  lastFailureAt!: Date | null;

  @Column('timestamptz', { name: 'last_success_at', nullable: true })
  lastSuccessAt!: Date | null;
}
