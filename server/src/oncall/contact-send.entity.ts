import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Incident } from '../incidents/incident.entity';
import type { ContactKind } from './notification-rules';

export type ContactSendStatus = 'queued' | 'sent' | 'failed' | 'skipped';

/**
 * The audit of one send beyond Slack (an SMS, a call, an e-mail, a push): who, where, why, what
 * became of it, and the short code that acknowledges the incident by reply. A code is "open"
 * (unique among open codes) until it is used or its incident is resolved.
 */
@Entity({ name: 'contact_sends' })
@Check('ck_contact_sends_kind', `kind IN ('email', 'sms', 'voice', 'push')`)
@Check('ck_contact_sends_status', `status IN ('queued', 'sent', 'failed', 'skipped')`)
@Index('uq_contact_sends_open_code', ['ackCode'], { unique: true, where: `code_open` })
@Index('ix_contact_sends_incident', ['incidentId', 'id'])
export class ContactSend {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_contact_sends' })
  id!: number;

  @Column('int', { name: 'incident_id' })
  incidentId!: number;

  @ManyToOne('Incident', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'fk_contact_sends_incident' })
  incident?: Incident;

  /** Kept without a foreign key: the audit outlives the user. */
  @Column('uuid', { name: 'user_id', nullable: true })
  userId!: string | null;

  @Column('text', { name: 'user_email' })
  userEmail!: string;

  @Column('text', { name: 'user_name' })
  userName!: string;

  @Column('text')
  kind!: ContactKind;

  @Column('text')
  address!: string;

  @Index('uq_contact_sends_outbox_key', { unique: true })
  @Column('text', { name: 'outbox_key' })
  outboxKey!: string;

  @Column('text', { name: 'ack_code' })
  ackCode!: string;

  @Column('boolean', { name: 'code_open', default: true })
  codeOpen!: boolean;

  /** Why this person was reached: "escalation step 1, SMS after 2 min", "Slack failed: channel_not_found". */
  @Column('text')
  reason!: string;

  @Column('text', { default: 'queued' })
  status!: ContactSendStatus;

  /** Why it failed or was skipped. */
  @Column('text', { nullable: true })
  detail!: string | null;

  /** What the provider answered (a Twilio sid, a message id). */
  @Column('jsonb', { nullable: true })
  receipt!: Record<string, unknown> | null;

  @Column('timestamptz', { name: 'due_at' })
  dueAt!: Date;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  /** When its code acknowledged the incident. */
  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt!: Date | null;
}
