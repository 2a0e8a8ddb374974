import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ChangeKind, ChangeSource } from './change-input';

/** A change to a service (a deploy, a config push, an experiment ramp), as received. Append-only. */
@Entity({ name: 'changes' })
@Check('ck_changes_kind', `kind IN ('deploy', 'config', 'experiment', 'feature-flag', 'other')`)
@Check('ck_changes_source', `source IN ('api', 'pagerduty', 'flagger', 'experiments')`)
@Index('ix_changes_service_at', ['service', 'at'])
@Index('ix_changes_at', ['at'])
export class Change {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_changes' })
  id!: number;

  @Column('text')
  service!: string;

  @Column('text')
  kind!: ChangeKind;

  @Column('text')
  summary!: string;

  @Column('text', { nullable: true })
  version!: string | null;

  @Column('text', { name: 'previous_version', nullable: true })
  previousVersion!: string | null;

  @Column('text', { nullable: true })
  link!: string | null;

  /** When the change happened, as its sender says (else when it arrived). */
  @Column('timestamptz')
  at!: Date;

  @Column('jsonb', { default: () => "'{}'" })
  labels!: Record<string, string>;

  @Column('text')
  source!: ChangeSource;

  /** Who sent it: the integration key's name, or the person's. */
  @Column('text', { name: 'reported_by' })
  reportedBy!: string;

  @Column('timestamptz', { name: 'received_at', default: () => 'now()' })
  receivedAt!: Date;
}
