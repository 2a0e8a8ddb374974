import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IntegrationKind = 'alertmanager' | 'pagerduty' | 'otlp' | 'experiments' | 'heartbeat' | 'changes';
export const INTEGRATION_KINDS: readonly IntegrationKind[] = ['alertmanager', 'pagerduty', 'otlp', 'experiments', 'heartbeat', 'changes'];

/**
 * A key an outside system uses to push data (OTLP metrics, Alertmanager webhooks, PagerDuty-format
 * events, heartbeats). Shown once at creation; only its SHA-256 is stored.
 */
@Entity({ name: 'integration_keys' })
@Check('ck_integration_keys_kind', `kind IN ('alertmanager', 'pagerduty', 'otlp', 'experiments', 'heartbeat', 'changes')`)
export class IntegrationKey {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_integration_keys' })
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  kind!: IntegrationKind;

  @Index('uq_integration_keys_key_hash', { unique: true })
  @Column('text', { name: 'key_hash' })
  keyHash!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
