import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/**
 * The transactional outbox: a row written in the same transaction as the change that causes
 * it, sent later by a worker. `key` is the idempotency key; the unique index means the same
 * notification can never be queued twice.
 */
@Entity({ name: 'outbox' })
@Check('ck_outbox_status', `status IN ('pending', 'sending', 'sent', 'failed')`)
@Index('ix_outbox_due', ['status', 'nextAttemptAt'])
@Index('ix_outbox_incident', ['incidentId', 'id'])
export class OutboxMessage {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_outbox' })
  id!: number;

  @Index('uq_outbox_key', { unique: true })
  @Column('text')
  key!: string;

  /** What happened, e.g. `incident.triggered`; notify decides how to deliver it. */
  @Column('text')
  topic!: string;

  @Column('int', { name: 'incident_id', nullable: true })
  incidentId!: number | null;

  @Column('jsonb', { default: () => "'{}'" })
  payload!: Record<string, unknown>;

  @Column('text', { default: 'pending' })
  status!: OutboxStatus;

  @Column('int', { default: 0 })
  attempts!: number;

  @Column('timestamptz', { name: 'next_attempt_at', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** A worker holds a claimed row until then; a crashed worker's row becomes claimable again. */
  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  /**
   * Grows with every claim. A worker renews, sends and finishes a row only while this is still
   * the value its claim returned: a worker whose claim lapsed finds out before it sends.
   */
  @Column('int', { name: 'claim_version', default: 0 })
  claimVersion!: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('jsonb', { nullable: true })
  result!: Record<string, unknown> | null;

  /**
   * Not sent before this time of the application's clock (a notification rule's delay): kept
   * apart from next_attempt_at, which is the database's time of the next retry.
   */
  @Column('timestamptz', { name: 'not_before', nullable: true })
  notBefore!: Date | null;

  /**
   * False for a row that keeps to no incident order: a personal send (an SMS after 2 minutes)
   * neither waits for the incident's earlier rows nor holds up its later ones.
   */
  @Column('boolean', { name: 'in_order', default: true })
  inOrder!: boolean;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'sent_at', nullable: true })
  sentAt!: Date | null;
}
