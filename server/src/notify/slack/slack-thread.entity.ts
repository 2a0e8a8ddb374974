import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The Slack message that paged for an incident: later changes edit it and reply in its thread. */
@Entity({ name: 'slack_threads' })
export class SlackThread {
  @PrimaryColumn('int', { name: 'incident_id', primaryKeyConstraintName: 'pk_slack_threads' })
  incidentId!: number;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_slack_threads' })
  channel!: string;

  @Column('text')
  ts!: string;

  /** The channel id Slack answered with (chat.update needs it when `channel` is a #name). */
  @Column('text', { name: 'channel_id', nullable: true })
  channelId!: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
