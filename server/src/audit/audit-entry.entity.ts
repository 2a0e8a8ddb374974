import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One change made through the API, the console, Slack or an integration: who, when, what, and
 * the record before and after. Append-only: a database trigger refuses UPDATE and DELETE (see
 * the migration), so not even a bug in Headroom can rewrite history.
 */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_at', ['at'])
@Index('ix_audit_log_entity', ['entityType', 'entityId'])
export class AuditEntry {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_audit_log' })
  id!: number;

  @Column('timestamptz')
  at!: Date;

  /** user (API token or console), slack, integration, or system. */
  @Column('text', { name: 'actor_type' })
  actorType!: string;

  @Column('text', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('text', { name: 'actor_name' })
  actorName!: string;

  /** What happened, `<entity>.<past-tense>`: incident.acknowledged, silence.created, … */
  @Column('text')
  action!: string;

  @Column('text', { name: 'entity_type' })
  entityType!: string;

  @Column('text', { name: 'entity_id' })
  entityId!: string;

  @Column('jsonb', { nullable: true })
  before!: Record<string, unknown> | null;

  @Column('jsonb', { nullable: true })
  after!: Record<string, unknown> | null;
}
