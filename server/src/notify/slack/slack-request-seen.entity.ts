import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The signature of a Slack request already taken, kept past Slack's 5-minute window so a replay acts no more. */
@Entity({ name: 'slack_requests_seen' })
export class SlackRequestSeen {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_slack_requests_seen' })
  signature!: string;

  @Index('ix_slack_requests_seen_at')
  @Column('timestamptz', { name: 'seen_at', default: () => 'now()' })
  seenAt!: Date;
}
